package vod

import (
	"context"
	"fmt"
)

// ParseStreamingManifestRequest is ParseStreamingManifest's input: the text of one HLS playlist or DASH
// manifest and its type, "m3u8" (the API's default) or "mpd".
type ParseStreamingManifestRequest struct {
	MediaManifestContent string `json:"MediaManifestContent"`
	ManifestType         string `json:"ManifestType,omitempty"`
}

// String shows the size of the manifest, not its text.
func (r ParseStreamingManifestRequest) String() string {
	return fmt.Sprintf("ParseStreamingManifestRequest{ManifestType:%s MediaManifestContent:<%d bytes>}",
		r.ManifestType, len(r.MediaManifestContent))
}

// ParseStreamingManifestResponse lists the files the manifest references, relative to its directory.
type ParseStreamingManifestResponse struct {
	MediaSegmentSet []string `json:"MediaSegmentSet"`
	RequestID       string   `json:"RequestId"`
}

func (r *ParseStreamingManifestResponse) getRequestID() string { return r.RequestID }

// ParseStreamingManifest asks VOD which files a manifest references (its segments, keys,
// initialization sections and, for a master playlist, its variant playlists, which are manifests to
// parse in turn). VOD refuses URLs, absolute paths and paths that leave the manifest's directory with
// InvalidParameterValue.MediaManifestContent. The action allows 20 calls per second, which the client's
// limiter for it keeps to.
func (c *Client) ParseStreamingManifest(ctx context.Context, req *ParseStreamingManifestRequest) (*ParseStreamingManifestResponse, error) {
	if req == nil || req.MediaManifestContent == "" {
		return nil, &APIError{Action: "ParseStreamingManifest", Code: "ClientError.MissingParameter", Message: "MediaManifestContent is required"}
	}
	return callVOD[ParseStreamingManifestResponse](ctx, c, "ParseStreamingManifest", req)
}
