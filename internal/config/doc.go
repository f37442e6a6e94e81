// Package config loads, validates and prints flexrecon's one configuration
// file. Only cmd/ reads it; everything else receives plain values.
package config
