// Command cosput uploads to object storage with credentials from the environment, as coscli or any
// object-storage tool would in a pipeline. Tests run it from a local-exec provisioner to prove that an
// upload session's credentials, handed over in `environment`, are enough to upload: one file
// (SOURCE_FILE to COS_KEY), or with PACKAGE_DIR an HLS or DASH package, its MANIFEST to COS_KEY and
// every other file next to it under COS_DIR, as the upload session's docs show.
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
		fmt.Fprintln(os.Stderr, "cosput:", err)
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
	if dir := os.Getenv("PACKAGE_DIR"); dir != "" {
		return putPackage(client, dir, os.Getenv("MANIFEST"))
	}
	_, err = client.Object.PutFromFile(context.Background(), os.Getenv("COS_KEY"), os.Getenv("SOURCE_FILE"), nil)
	return err
}

// putPackage uploads every file below dir: the manifest (its path relative to dir) to COS_KEY, the
// others to COS_DIR joined with their relative paths.
func putPackage(client *cos.Client, dir, manifest string) error {
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
