package vod

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"
)

// ErrTooManyMatches matches (errors.Is) the error of SearchAllMedia when the matches cannot all be
// listed through SearchMedia's 5,000-result window; the error is a *TooManyMatchesError.
var ErrTooManyMatches = errors.New("too many matching media to list")

// TooManyMatchesError says which matches SearchAllMedia could not list.
type TooManyMatchesError struct {
	// Second and Category: MaxSearchResults or more media of Category were created in this second.
	// Zero for a search ranked by relevance, whose matches reached MaxSearchResults.
	Second   time.Time
	Category string
}

func (e *TooManyMatchesError) Error() string {
	if e.Second.IsZero() {
		return fmt.Sprintf("%s: %d or more media match, and a search by Names or Descriptions comes ranked by "+
			"relevance, which SearchMedia pages through only for its first %d results", ErrTooManyMatches,
			MaxSearchResults, MaxSearchResults)
	}
	return fmt.Sprintf("%s: %d or more media of category %s were created in the second %s, and SearchMedia "+
		"lists at most %d for one filter set", ErrTooManyMatches, MaxSearchResults, e.Category,
		e.Second.Format(time.RFC3339), MaxSearchResults)
}

func (e *TooManyMatchesError) Unwrap() error { return ErrTooManyMatches }

// searchAllPageSize is how many media one SearchMedia call of SearchAllMedia asks for: large enough to
// need few calls, small enough that a reply stays a few megabytes.
const searchAllPageSize = 500

// mediaCategories are SearchMedia's Categories: the last split of a second that holds too many media.
var mediaCategories = []string{"Video", "Audio", "Image"}

// SearchAllQuery is what SearchAllMedia lists.
type SearchAllQuery struct {
	// Search holds the conditions. Its Sort, Offset and Limit are SearchAllMedia's own and ignored;
	// CreateTime bounds the listing (in whole seconds: After rounded down, Before up).
	Search SearchMediaRequest
	// Limit is the most media to return; 0 returns them all.
	Limit int
	// WithOutputs asks for everything DescribeMedia reads (processing outputs included); without it,
	// results carry basic information and metadata only.
	WithOutputs bool
}

// relevanceRanked reports whether SearchMedia ranks this search's results by relevance (ignoring Sort).
func (q *SearchAllQuery) relevanceRanked() bool {
	return len(q.Search.Names) > 0 || len(q.Search.Descriptions) > 0
}

// SearchAllMedia returns every media file matching q, each once, as the pages arrive; the sequence
// ends after the first error. Every call goes through the client's limiter and retries.
//
// One SearchMedia filter set reaches at most 5,000 results (TotalCount stops there). So results come
// by CreateTime, and a window whose TotalCount reaches 5,000 is split in two on whole seconds, with
// half-open windows [After, Before), until each holds fewer; a single second that still has too many
// is split by Categories, and a second too full even per category is an ErrTooManyMatches error
// naming it. Media are deduplicated by FileId, so windows that overlap (the API's CreateTime
// documentation also says both ends are included) list nothing twice, and a one-second window filled
// only by the next second's media is listed as it is. Pages overlap, so that media deleted meanwhile
// (which move later matches to lower offsets) make no match skipped; media created meanwhile come last
// in CreateTime order and move none. Searches by Names or Descriptions come by relevance, which cannot
// be cut into windows: more than 5,000 matches is then an ErrTooManyMatches error, unless Limit is
// within the window.
func (c *Client) SearchAllMedia(ctx context.Context, q SearchAllQuery) iter.Seq2[*MediaInfo, error] {
	return func(yield func(*MediaInfo, error) bool) {
		l := &mediaLister{client: c, query: q, seen: map[string]bool{}, yield: yield}
		if err := l.run(ctx); err != nil && !l.stopped {
			yield(nil, err)
		}
	}
}

// mediaLister is one run of SearchAllMedia.
type mediaLister struct {
	client  *Client
	query   SearchAllQuery
	seen    map[string]bool // FileIds already yielded
	yielded int
	yield   func(*MediaInfo, error) bool
	stopped bool // the consumer wants no more
}

// window is one part of the listing: a create-time range and, for a split second, one category.
type window struct {
	after, before time.Time // zero: open
	categories    []string  // nil: the query's own
}

func (l *mediaLister) run(ctx context.Context) error {
	if l.query.relevanceRanked() {
		return l.listRanked(ctx)
	}
	first := window{categories: l.query.Search.Categories}
	if r := l.query.Search.CreateTime; r != nil {
		sent := r.WholeSeconds()
		first.after, first.before = sent.After, sent.Before
	}
	// Depth first, earlier half first: results stream in CreateTime order.
	pending := []window{first}
	for len(pending) > 0 && !l.done() {
		w := pending[len(pending)-1]
		pending = pending[:len(pending)-1]
		parts, err := l.listWindow(ctx, w)
		if err != nil {
			return err
		}
		slices.Reverse(parts)
		pending = append(pending, parts...)
	}
	return nil
}

// listWindow lists the media of w, or, when w holds too many for one filter set, returns the smaller
// windows that cover it instead, earliest first.
func (l *mediaLister) listWindow(ctx context.Context, w window) ([]window, error) {
	req := l.request(w, "Asc")
	page, err := l.page(ctx, req)
	if err != nil {
		return nil, err
	}
	if page.TotalCount >= MaxSearchResults && !l.limitWithin(MaxSearchResults) {
		fits, err := l.overflowsOnlyPastItsSecond(ctx, w, req)
		if err != nil {
			return nil, err
		}
		if !fits {
			parts, err := l.split(ctx, w, page)
			if err == nil {
				l.client.logger.Debug(ctx, "vod: too many matches for one search; splitting it", map[string]any{
					"after": timeOrOpen(w.after), "before": timeOrOpen(w.before), "categories": w.categories, "parts": len(parts),
				})
			}
			return parts, err
		}
	}
	return nil, l.yieldPages(ctx, req, page)
}

// overflowsOnlyPastItsSecond reports whether a one-second window reached 5,000 results only with media
// of the next second, which an API that includes CreateTime's Before end (as SearchMedia's documentation
// says it does) adds to the window. Then the 5,000th result, in CreateTime order, is past the second:
// the second's own media all come before it, so the window can be listed as it is, the next second's
// media being listed again by the next window and skipped. Otherwise the second is split, or refused.
func (l *mediaLister) overflowsOnlyPastItsSecond(ctx context.Context, w window, req *SearchMediaRequest) (bool, error) {
	if w.after.IsZero() || w.before.Sub(w.after) != time.Second {
		return false, nil
	}
	last := *req
	last.Offset, last.Limit = MaxSearchResults-1, 1
	page, err := l.page(ctx, &last)
	if err != nil || len(page.MediaInfoSet) == 0 {
		return false, err
	}
	created, err := firstCreateTime(page)
	return !created.Before(w.before), err
}

// timeOrOpen is a window's end for logs.
func timeOrOpen(t time.Time) string {
	if t.IsZero() {
		return "open"
	}
	return t.Format(time.RFC3339)
}

// split cuts an overflowing window in two halves of whole seconds, or a single second into its
// categories. first is the window's first page, in CreateTime order: it gives the earliest match.
func (l *mediaLister) split(ctx context.Context, w window, first *SearchMediaResponse) ([]window, error) {
	after, before, err := l.bounds(ctx, w, first)
	if err != nil {
		return nil, err
	}
	if span := before.Sub(after); span > time.Second {
		seconds := int64(span / time.Second)
		middle := after.Add(time.Duration(seconds/2) * time.Second)
		return []window{{after, middle, w.categories}, {middle, before, w.categories}}, nil
	}
	categories := w.categories
	if len(categories) == 0 {
		categories = mediaCategories
	}
	if len(categories) == 1 {
		return nil, &TooManyMatchesError{Second: after, Category: categories[0]}
	}
	parts := make([]window, 0, len(categories))
	for _, category := range categories {
		parts = append(parts, window{after, after.Add(time.Second), []string{category}})
	}
	return parts, nil
}

// bounds narrows w to the whole seconds its matches were created in: from the earliest match (the first
// result of the first page) to the latest (asked for when w is open-ended), which makes the halves of a
// split meaningful even for an open window.
func (l *mediaLister) bounds(ctx context.Context, w window, first *SearchMediaResponse) (time.Time, time.Time, error) {
	after, err := firstCreateTime(first)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	before := w.before
	if before.IsZero() {
		latest := l.request(w, "Desc")
		latest.Limit = 1
		page, err := l.page(ctx, latest)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		last, err := firstCreateTime(page)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		before = last.Add(time.Second)
	}
	if !before.After(after) {
		before = after.Add(time.Second)
	}
	return after, before, nil
}

// firstCreateTime is the CreateTime of a page's first result, in whole seconds.
func firstCreateTime(page *SearchMediaResponse) (time.Time, error) {
	if len(page.MediaInfoSet) == 0 {
		return time.Time{}, fmt.Errorf("SearchMedia reported %d matches but returned none (RequestId: %s)",
			page.TotalCount, page.RequestID)
	}
	info := page.MediaInfoSet[0]
	if info.BasicInfo == nil {
		return time.Time{}, fmt.Errorf("SearchMedia returned media %s without its BasicInfo", info.FileID)
	}
	t, err := time.Parse(time.RFC3339, info.BasicInfo.CreateTime)
	if err != nil {
		return time.Time{}, fmt.Errorf("SearchMedia returned media %s with CreateTime %q, not an ISO 8601 time",
			info.FileID, info.BasicInfo.CreateTime)
	}
	return t.UTC().Truncate(time.Second), nil
}

// listRanked lists a search ranked by relevance: one filter set, paged by Offset.
func (l *mediaLister) listRanked(ctx context.Context) error {
	req := l.request(window{categories: l.query.Search.Categories}, "")
	req.CreateTime = l.query.Search.CreateTime
	page, err := l.page(ctx, req)
	if err != nil {
		return err
	}
	if page.TotalCount >= MaxSearchResults && !l.limitWithin(MaxSearchResults) {
		return &TooManyMatchesError{}
	}
	return l.yieldPages(ctx, req, page)
}

// request is the SearchMedia request of window w's first page; order "" leaves Sort out.
func (l *mediaLister) request(w window, order string) *SearchMediaRequest {
	req := l.query.Search
	req.Categories = w.categories
	req.CreateTime = nil
	if !w.after.IsZero() || !w.before.IsZero() {
		req.CreateTime = &TimeRange{After: w.after, Before: w.before}
	}
	req.Sort = nil
	if order != "" {
		req.Sort = &SortBy{Field: "CreateTime", Order: order}
	}
	req.Filters = basicMediaFilters
	if l.query.WithOutputs {
		req.Filters = describeMediaFilters
	}
	req.Offset = 0
	req.Limit = l.pageLimit(0, 0)
	return &req
}

// pageLimit is the Limit of a page at offset that starts with repeated results already read: a full
// page, but no more than the window or the query's Limit still allow.
func (l *mediaLister) pageLimit(offset, repeated uint64) uint64 {
	limit := min(searchAllPageSize, MaxSearchResults-offset)
	if l.query.Limit > 0 {
		limit = min(limit, repeated+uint64(max(l.query.Limit-l.yielded, 1)))
	}
	return limit
}

// limitWithin reports whether the query's Limit lets n results be enough.
func (l *mediaLister) limitWithin(n int) bool {
	return l.query.Limit > 0 && l.query.Limit-l.yielded <= n
}

func (l *mediaLister) done() bool {
	return l.stopped || (l.query.Limit > 0 && l.yielded >= l.query.Limit)
}

func (l *mediaLister) page(ctx context.Context, req *SearchMediaRequest) (*SearchMediaResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return l.client.SearchMedia(ctx, req)
}

// pageOverlap is how many results of the previous page each page starts with. Media deleted while the
// listing runs move the later matches to lower offsets: repeating the last results (skipped as already
// yielded) keeps a match moved back by a few deletions from falling between two pages.
const pageOverlap = 20

// yieldPages yields first and the pages after it, until the window's results, the 5,000-result window
// or the query's Limit is exhausted.
func (l *mediaLister) yieldPages(ctx context.Context, req *SearchMediaRequest, first *SearchMediaResponse) error {
	page := first
	for {
		for i := range page.MediaInfoSet {
			if l.done() {
				return nil
			}
			l.yieldNew(&page.MediaInfoSet[i])
		}
		read := req.Offset + uint64(len(page.MediaInfoSet)) // results read so far, at their offsets then
		if l.done() || len(page.MediaInfoSet) == 0 || read >= min(page.TotalCount, MaxSearchResults) {
			return nil
		}
		var err error
		if page, err = l.nextPage(ctx, req, read); err != nil {
			return err
		}
	}
}

// nextPage reads the page after the first read results, starting pageOverlap results earlier. A page
// whose first result was not read before means more media were deleted than it overlaps: it starts
// further back until it overlaps (or starts at 0), so that no match is skipped.
func (l *mediaLister) nextPage(ctx context.Context, req *SearchMediaRequest, read uint64) (*SearchMediaResponse, error) {
	for back := min(pageOverlap, read); ; back = min(4*back, read) {
		req.Offset = read - back
		req.Limit = l.pageLimit(req.Offset, back)
		page, err := l.page(ctx, req)
		if err != nil || back == read || len(page.MediaInfoSet) == 0 || l.seen[page.MediaInfoSet[0].FileID] {
			return page, err
		}
		l.client.logger.Debug(ctx, "vod: media were deleted during the search; reading a page again from further back",
			map[string]any{"offset": req.Offset})
	}
}

// yieldNew passes on a media file not yielded before.
func (l *mediaLister) yieldNew(info *MediaInfo) {
	if l.seen[info.FileID] {
		return
	}
	l.seen[info.FileID] = true
	l.yielded++
	if !l.yield(info, nil) {
		l.stopped = true
	}
}
