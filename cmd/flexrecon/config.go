package main

import "context"

func (m *Main) config(ctx context.Context, args []string) error {
	fs := m.flags("config", "--config F")
	cfgPath := fs.String("config", "", "configuration file")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	return cfg.Print(m.Stdout)
}
