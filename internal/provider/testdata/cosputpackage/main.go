// Command cosputpackage uploads an HLS or DASH package to object storage with credentials from the
// environment, as a pipeline's own upload script would: the manifest (MANIFEST, relative to PACKAGE_DIR)
// to COS_KEY, and every other file under PACKAGE_DIR to COS_DIR joined with its relative path. Tests run
// it from a local-exec provisioner to prove that a package session's credentials, handed over in
// `environment`, are enough to upload a package.
package main

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"

	"github.com/tencentyun/cos-go-sdk-v5"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "cosputpackage:", err)
		os.Exit(1)
	}
}

func run() error {
	bucketURL, err := url.Parse(os.Getenv("COS_BUCKET_URL"))
	if err != nil {
		return err
	}
	client := cos.NewClient(&cos.BaseURL{BucketURL: bucketURL}, &http.Client{
		Transport: &cos.AuthorizationTransport{
			SecretID:     os.Getenv("COS_SECRET_ID"),
			SecretKey:    os.Getenv("COS_SECRET_KEY"),
			SessionToken: os.Getenv("COS_TOKEN"),
		},
	})
	dir, manifest := os.Getenv("PACKAGE_DIR"), os.Getenv("MANIFEST")
	return filepath.WalkDir(dir, func(file string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, file)
		if err != nil {
			return err
		}
		key := path.Join(os.Getenv("COS_DIR"), filepath.ToSlash(rel))
		if filepath.ToSlash(rel) == manifest {
			key = os.Getenv("COS_KEY")
		}
		_, err = client.Object.PutFromFile(context.Background(), key, file, nil)
		return err
	})
}
