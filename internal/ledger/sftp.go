package ledger

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// SFTPSource is where an SFTP server keeps a partner's exports.
type SFTPSource struct {
	Addr     string // host:port
	User     string
	Password string // or Key
	Key      []byte // PEM private key
	HostKey  string // the server's public key, authorized_keys form
	Dir      string // remote folder
	Pattern  string // path.Match pattern of file names
}

// FetchSFTP copies the files of src matching its pattern that dir lacks
// into dir, and returns the local paths of every matching file, in name
// order. Files already copied are not fetched again; a changed file under
// the same name is, because its size or modification time differs.
func FetchSFTP(ctx context.Context, src SFTPSource, dir string) (_ []string, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("fetch sftp://%s@%s%s: %w", src.User, src.Addr, src.Dir, err)
		}
	}()
	cfg, err := src.clientConfig()
	if err != nil {
		return nil, err
	}
	conn, err := ssh.Dial("tcp", src.Addr, cfg)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	client, err := sftp.NewClient(conn)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	return fetchMatching(ctx, client, src, dir)
}

func (src SFTPSource) clientConfig() (*ssh.ClientConfig, error) {
	hostKey, _, _, _, err := ssh.ParseAuthorizedKey([]byte(src.HostKey))
	if err != nil {
		return nil, fmt.Errorf("parse host key: %w", err)
	}
	var auth []ssh.AuthMethod
	if len(src.Key) > 0 {
		signer, err := ssh.ParsePrivateKey(src.Key)
		if err != nil {
			return nil, fmt.Errorf("parse private key: %w", err)
		}
		auth = append(auth, ssh.PublicKeys(signer))
	}
	if src.Password != "" {
		auth = append(auth, ssh.Password(src.Password))
	}
	return &ssh.ClientConfig{User: src.User, Auth: auth, HostKeyCallback: ssh.FixedHostKey(hostKey)}, nil
}

func fetchMatching(ctx context.Context, client *sftp.Client, src SFTPSource, dir string) ([]string, error) {
	infos, err := client.ReadDir(src.Dir)
	if err != nil {
		return nil, err
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Name() < infos[j].Name() })
	var paths []string
	for _, fi := range infos {
		if ok, _ := path.Match(src.Pattern, fi.Name()); !ok || !fi.Mode().IsRegular() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		local := filepath.Join(dir, fi.Name())
		if st, err := os.Stat(local); err != nil || st.Size() != fi.Size() || !st.ModTime().Equal(fi.ModTime()) {
			if err := fetchOne(client, path.Join(src.Dir, fi.Name()), local, fi.ModTime()); err != nil {
				return nil, err
			}
		}
		paths = append(paths, local)
	}
	return paths, nil
}

// fetchOne copies remote to local with the remote's modification time, by
// which the next fetch knows a file corrected under the same name and size.
func fetchOne(client *sftp.Client, remote, local string, modified time.Time) error {
	f, err := client.Open(remote)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err = saveAs(io.Reader(f), local, nil); err != nil {
		return err
	}
	return os.Chtimes(local, modified, modified)
}
