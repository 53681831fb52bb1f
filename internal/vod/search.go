package vod

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// SearchMedia's result window: Offset + Limit may not pass it, and TotalCount stops counting at it. To
// list more media, narrow the search (for example by CreateTime windows).
const (
	MaxSearchResults   = 5000
	DefaultSearchLimit = 10
)

// SearchMediaRequest is SearchMedia's input. Each list matches media with any of its values; the
// parameters combine with AND. Names and Descriptions match loosely and rank results by relevance
// (Sort is then ignored); NamePrefixes match the start of the name. Empty fields are not sent.
type SearchMediaRequest struct {
	FileIDs        []string   `json:"FileIds,omitempty"`
	Names          []string   `json:"Names,omitempty"`
	NamePrefixes   []string   `json:"NamePrefixes,omitempty"`
	Descriptions   []string   `json:"Descriptions,omitempty"`
	ClassIDs       []int64    `json:"ClassIds,omitempty"` // a class includes its subclasses
	Tags           []string   `json:"Tags,omitempty"`
	Categories     []string   `json:"Categories,omitempty"` // Video, Audio, Image
	SourceTypes    []string   `json:"SourceTypes,omitempty"`
	StreamIDs      []string   `json:"StreamIds,omitempty"`
	MediaTypes     []string   `json:"MediaTypes,omitempty"`
	Status         []string   `json:"Status,omitempty"` // Normal, SystemForbidden, Forbidden
	ReviewResults  []string   `json:"ReviewResults,omitempty"`
	StorageRegions []string   `json:"StorageRegions,omitempty"`
	StorageClasses []string   `json:"StorageClasses,omitempty"` // STANDARD, STANDARD_IA, ARCHIVE, DEEP_ARCHIVE
	TrtcSdkAppIDs  []uint64   `json:"TrtcSdkAppIds,omitempty"`
	TrtcRoomIDs    []string   `json:"TrtcRoomIds,omitempty"`
	CreateTime     *TimeRange `json:"CreateTime,omitempty"`
	ExpireTime     *TimeRange `json:"ExpireTime,omitempty"`
	// Filters names the MediaInfo sections to return, as in DescribeMediaInfos; none means all.
	Filters  []string `json:"Filters,omitempty"`
	Sort     *SortBy  `json:"Sort,omitempty"`
	Offset   uint64   `json:"Offset,omitempty"`
	Limit    uint64   `json:"Limit,omitempty"`    // 0 = the API's default, DefaultSearchLimit
	SubAppID *uint64  `json:"SubAppId,omitempty"` // nil = the client's default sub-application
}

// TimeRange selects times from After (included) to Before (excluded); a zero end is open. The API
// works in whole seconds, so After is sent rounded down and Before rounded up: the range sent always
// covers the one asked for.
type TimeRange struct {
	After, Before time.Time
}

// WholeSeconds is the range as the API is sent it, in UTC: After rounded down, Before rounded up.
func (r TimeRange) WholeSeconds() TimeRange {
	if !r.After.IsZero() {
		r.After = r.After.UTC().Truncate(time.Second)
	}
	if !r.Before.IsZero() {
		before := r.Before.UTC()
		if rounded := before.Truncate(time.Second); !rounded.Equal(before) {
			before = rounded.Add(time.Second)
		}
		r.Before = before
	}
	return r
}

// MarshalJSON writes the ends as RFC 3339 UTC times in whole seconds, leaving out open ends.
func (r TimeRange) MarshalJSON() ([]byte, error) {
	r = r.WholeSeconds()
	wire := map[string]string{}
	if !r.After.IsZero() {
		wire["After"] = r.After.Format(time.RFC3339)
	}
	if !r.Before.IsZero() {
		wire["Before"] = r.Before.Format(time.RFC3339)
	}
	return json.Marshal(wire)
}

// SortBy orders SearchMedia's results. The API sorts only by CreateTime.
type SortBy struct {
	Field string `json:"Field"` // CreateTime
	Order string `json:"Order"` // Asc or Desc
}

// SearchMediaResponse is SearchMedia's output. TotalCount is the number of matches, at most
// MaxSearchResults.
type SearchMediaResponse struct {
	TotalCount   uint64      `json:"TotalCount"`
	MediaInfoSet []MediaInfo `json:"MediaInfoSet"`
	RequestID    string      `json:"RequestId"`
}

func (r *SearchMediaResponse) getRequestID() string { return r.RequestID }

// SearchMedia finds media by the request's conditions, one page at a time. It changes nothing, so it
// is retried like the reads.
func (c *Client) SearchMedia(ctx context.Context, req *SearchMediaRequest) (*SearchMediaResponse, error) {
	const action = "SearchMedia"
	if req == nil {
		req = &SearchMediaRequest{}
	}
	limit := req.Limit
	if limit == 0 {
		limit = DefaultSearchLimit
	}
	if req.Offset > MaxSearchResults || limit > MaxSearchResults-req.Offset {
		return nil, &APIError{Action: action, Code: "ClientError.InvalidParameter",
			Message: fmt.Sprintf("Offset (%d) + Limit (%d) is past %d, the most SearchMedia pages through; narrow the search instead",
				req.Offset, limit, MaxSearchResults)}
	}
	params := *req
	params.SubAppID = c.defaultSubAppID(params.SubAppID)
	return callVOD[SearchMediaResponse](ctx, c, action, params)
}

// UploadedMediaQuery describes a media file committed from an upload session whose CommitUpload
// reply was lost: the session's media storage path identifies it, the name and creation window only
// narrow the search.
type UploadedMediaQuery struct {
	StoragePath   string // the session's MediaStoragePath
	Name          string // the media's name, if known
	CreatedAfter  time.Time
	CreatedBefore time.Time
	SubAppID      *uint64
}

// searchPageSize is how many media one page of FindUploadedMedia asks for.
const searchPageSize = 100

// FindUploadedMedia looks for the media file whose storage path is q.StoragePath, paging through
// SearchMedia's results. It returns an error matching ErrMediaNotFound when no result matches.
func (c *Client) FindUploadedMedia(ctx context.Context, q UploadedMediaQuery) (*MediaInfo, error) {
	if q.StoragePath == "" {
		return nil, missingParameter("SearchMedia", "StoragePath")
	}
	req := &SearchMediaRequest{
		Filters:  basicMediaFilters,
		Sort:     &SortBy{Field: "CreateTime", Order: "Desc"},
		Limit:    searchPageSize,
		SubAppID: q.SubAppID,
	}
	if !q.CreatedAfter.IsZero() || !q.CreatedBefore.IsZero() {
		req.CreateTime = &TimeRange{After: q.CreatedAfter, Before: q.CreatedBefore}
	}
	if q.Name != "" {
		req.Names = []string{q.Name}
	}
	for {
		page, err := c.SearchMedia(ctx, req)
		if err != nil {
			return nil, err
		}
		for i := range page.MediaInfoSet {
			if info := page.MediaInfoSet[i]; info.BasicInfo != nil && sameStoragePath(info.BasicInfo.StoragePath, q.StoragePath) {
				return &info, nil
			}
		}
		req.Offset += uint64(len(page.MediaInfoSet))
		if len(page.MediaInfoSet) == 0 || req.Offset >= min(page.TotalCount, MaxSearchResults) {
			return nil, fmt.Errorf("%w: no media with storage path %s among the %d found (RequestId: %s)",
				ErrMediaNotFound, q.StoragePath, req.Offset, page.RequestID)
		}
		req.Limit = min(searchPageSize, MaxSearchResults-req.Offset)
	}
}

// sameStoragePath compares storage paths with or without their leading slash.
func sameStoragePath(a, b string) bool {
	return strings.TrimPrefix(a, "/") == strings.TrimPrefix(b, "/")
}
