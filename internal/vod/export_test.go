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

// SetBackoffCap caps the waits between retries, so that tests of outages of a few seconds resume
// soon after they end.
func SetBackoffCap(c *Client, d time.Duration) { c.backoffCap = d }

// SetTaskPollInterval shortens the waits between polls of a task (and the cap they grow to, 15 times
// this), so that tests wait for tasks quickly.
func SetTaskPollInterval(c *Client, d time.Duration) { c.taskPollInterval = d }
