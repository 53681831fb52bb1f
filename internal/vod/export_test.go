package vod

import (
	"net/http"
	"time"
)

// SetProgressLogInterval shortens UploadFile's progress logging for tests in package vod_test.
func SetProgressLogInterval(c *Client, d time.Duration) { c.progressLogInterval = d }

// WrapTransport puts wrap around the client's HTTP transport (API and object storage alike).
func WrapTransport(c *Client, wrap func(http.RoundTripper) http.RoundTripper) {
	c.transport = wrap(c.transport)
}

// SetStoreBackoffCap caps the waits between object-storage retries, so that tests of outages of a
// few seconds resume soon after they end.
func SetStoreBackoffCap(c *Client, d time.Duration) { c.storeBackoffCap = d }
