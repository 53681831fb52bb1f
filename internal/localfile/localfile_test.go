package localfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestOpenRegularRefusesFIFOWithoutBlocking(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := OpenRegular(fifo)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) {
			t.Fatalf("OpenRegular(fifo) = %v, want ErrNotRegular", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("OpenRegular blocked on a FIFO with no writer")
	}
}

func TestOpenRegularReadsRegularFile(t *testing.T) {
	name := filepath.Join(t.TempDir(), "clip.mp4")
	if err := os.WriteFile(name, []byte("video"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, info, err := OpenRegular(name)
	if err != nil {
		t.Fatalf("OpenRegular: %v", err)
	}
	defer f.Close()
	buf := make([]byte, 16)
	n, err := f.Read(buf)
	if err != nil || string(buf[:n]) != "video" || info.Size() != 5 {
		t.Fatalf("read %q, %v, size %d", buf[:n], err, info.Size())
	}
}

func TestCheckUploadable(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.mp4")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	full := filepath.Join(dir, "full.mp4")
	if err := os.WriteFile(full, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	unreadable := filepath.Join(dir, "secret.mp4")
	if err := os.WriteFile(unreadable, []byte("x"), 0o000); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		path string
		want func(error) bool
	}{
		{"regular", full, func(err error) bool { return err == nil }},
		{"empty", empty, func(err error) bool { return errors.Is(err, ErrEmpty) }},
		{"directory", dir, func(err error) bool { return errors.Is(err, ErrNotRegular) }},
		{"missing", filepath.Join(dir, "nope.mp4"), func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
	}
	if os.Geteuid() != 0 { // root reads files whatever their mode
		cases = append(cases, struct {
			name string
			path string
			want func(error) bool
		}{"unreadable", unreadable, func(err error) bool { return errors.Is(err, fs.ErrPermission) }})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := CheckUploadable(tc.path); !tc.want(err) {
				t.Fatalf("CheckUploadable(%s) = %v", tc.name, err)
			}
		})
	}
}
