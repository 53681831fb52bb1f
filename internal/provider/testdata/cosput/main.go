// Command cosput uploads one file to object storage with credentials from the environment, as coscli or
// any object-storage tool would in a pipeline. Tests run it from a local-exec provisioner to prove that an
// upload session's credentials, handed over in `environment`, are enough to upload.
package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"

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
	_, err = client.Object.PutFromFile(context.Background(), os.Getenv("COS_KEY"), os.Getenv("SOURCE_FILE"), nil)
	return err
}
