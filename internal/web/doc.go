// Package web is flexrecon's HTTP face: server-rendered pages for finance and
// ops, and the health endpoints.
package web
