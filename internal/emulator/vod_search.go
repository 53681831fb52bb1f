package emulator

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// SearchMedia's documented result window: Offset + Limit may not pass it, and TotalCount is capped at it.
const (
	maxSearchResults   = 5000
	defaultSearchLimit = 10
)

// searchMediaRequest is SearchMedia's input. Every documented parameter is declared so that the strict
// decoder accepts it; the ones about data the emulator never has (live streams, TRTC, reviews,
// knowledge bases) match no media when they are not empty.
type searchMediaRequest struct {
	SubAppID       *uint64    `json:"SubAppId"`
	FileIDs        []string   `json:"FileIds"`
	Names          []string   `json:"Names"`
	NamePrefixes   []string   `json:"NamePrefixes"`
	Descriptions   []string   `json:"Descriptions"`
	ClassIDs       []int64    `json:"ClassIds"`
	Tags           []string   `json:"Tags"`
	Categories     []string   `json:"Categories"`
	SourceTypes    []string   `json:"SourceTypes"`
	StreamIDs      []string   `json:"StreamIds"`
	CreateTime     *timeRange `json:"CreateTime"`
	ExpireTime     *timeRange `json:"ExpireTime"`
	StorageRegions []string   `json:"StorageRegions"`
	StorageClasses []string   `json:"StorageClasses"`
	MediaTypes     []string   `json:"MediaTypes"`
	Status         []string   `json:"Status"`
	ReviewResults  []string   `json:"ReviewResults"`
	TrtcSdkAppIDs  []uint64   `json:"TrtcSdkAppIds"`
	TrtcRoomIDs    []string   `json:"TrtcRoomIds"`
	Filters        []string   `json:"Filters"`
	Sort           *sortBy    `json:"Sort"`
	Offset         *uint64    `json:"Offset"`
	Limit          *uint64    `json:"Limit"`
	StreamDomains  []string   `json:"StreamDomains"`
	StreamPaths    []string   `json:"StreamPaths"`
	KnowledgeBases []string   `json:"KnowledgeBases"`

	// Deprecated single-value forms, still accepted by the API.
	Text       string   `json:"Text"`
	SourceType string   `json:"SourceType"`
	StreamID   string   `json:"StreamId"`
	StartTime  string   `json:"StartTime"`
	EndTime    string   `json:"EndTime"`
	Vids       []string `json:"Vids"` // no longer used by the API: ignored
	Vid        string   `json:"Vid"`  // no longer used by the API: ignored
}

// timeRange is the TimeRange object: After is included, Before is not (ISO 8601 times).
type timeRange struct {
	After  string `json:"After"`
	Before string `json:"Before"`
}

// sortBy is the SortBy object.
type sortBy struct {
	Field string `json:"Field"`
	Order string `json:"Order"`
}

type searchMediaResponse struct {
	TotalCount   int         `json:"TotalCount"`
	MediaInfoSet []mediaInfo `json:"MediaInfoSet"`
}

// listLimit is one list parameter's documented size limits (0 = none documented).
type listLimit struct {
	name              string
	values            []string
	maxItems, maxChar int
}

func (r *searchMediaRequest) listLimits() []listLimit {
	return []listLimit{
		{"FileIds", r.FileIDs, 10, 40},
		{"Names", r.Names, 10, 100},
		{"NamePrefixes", r.NamePrefixes, 10, 100},
		{"Descriptions", r.Descriptions, 10, 100},
		{"Tags", r.Tags, 16, 32},
		{"SourceTypes", r.SourceTypes, 10, 0},
		{"StreamIds", r.StreamIDs, 10, 0},
		{"StorageRegions", r.StorageRegions, 20, 20},
		{"MediaTypes", r.MediaTypes, 10, 0},
		{"TrtcRoomIds", r.TrtcRoomIDs, 10, 64},
	}
}

// searchMedia implements SearchMedia: every given condition must hold (AND), and a list condition
// holds when any of its values matches (OR). Results come newest first, or as Sort says; with Names,
// Descriptions or Text they come by relevance instead.
func (s *Server) searchMedia(call *apiCall) (any, *apiError) {
	var req searchMediaRequest
	if apiErr := call.decode(&req); apiErr != nil {
		return nil, apiErr
	}
	subAppID, apiErr := s.resolveSubAppID(req.SubAppID)
	if apiErr != nil {
		return nil, apiErr
	}
	query, apiErr := req.compile(func(ids []int64) []int64 { return s.vod.classesWithin(subAppID, ids) },
		s.opts.SearchCreateTimeBeforeIncluded)
	if apiErr != nil {
		return nil, apiErr
	}
	s.purgeExpiredMedia()
	found := s.vod.matchingMedia(subAppID, query)
	query.order(found)
	found = found[:min(len(found), maxSearchResults)]
	resp := searchMediaResponse{TotalCount: len(found), MediaInfoSet: []mediaInfo{}}
	for _, m := range found[min(query.offset, len(found)):min(query.offset+query.limit, len(found))] {
		resp.MediaInfoSet = append(resp.MediaInfoSet, s.mediaInfoOf(m, req.Filters))
	}
	return resp, nil
}

// matchingMedia returns copies of the media of application app that q matches. Only matches are copied:
// tests list accounts of thousands of media, page by page.
func (s *vodStore) matchingMedia(app uint64, q *mediaQuery) []MediaFile {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var found []MediaFile
	for _, m := range s.media {
		if m.SubAppID == app && q.matches(*m) {
			found = append(found, m.clone())
		}
	}
	return found
}

// mediaCondition is one search condition, true for the media files it lets through.
type mediaCondition func(m MediaFile) bool

// mediaQuery is a checked SearchMedia request, ready to run.
type mediaQuery struct {
	conditions    []mediaCondition
	relevance     []string // Names, Descriptions and Text: results are ranked against these
	newestFirst   bool
	offset, limit int
}

func (q *mediaQuery) matches(m MediaFile) bool {
	for _, condition := range q.conditions {
		if !condition(m) {
			return false
		}
	}
	return true
}

// order sorts by relevance when there are terms to rank against, else by CreateTime; FileID breaks
// ties so that pages never overlap.
func (q *mediaQuery) order(media []MediaFile) {
	slices.SortStableFunc(media, func(a, b MediaFile) int {
		if len(q.relevance) > 0 {
			if c := cmp.Compare(relevance(b, q.relevance), relevance(a, q.relevance)); c != 0 {
				return c
			}
		}
		c := a.CreateTime.Compare(b.CreateTime)
		if c == 0 {
			c = cmp.Compare(a.FileID, b.FileID)
		}
		if q.newestFirst {
			return -c
		}
		return c
	})
}

// relevance scores how well a media file's name or description matches the best of terms: an exact
// match beats a prefix, which beats a part of the text.
func relevance(m MediaFile, terms []string) int {
	best := 0
	for _, term := range terms {
		for _, text := range []string{m.Name, m.Description} {
			text, term := strings.ToLower(text), strings.ToLower(term)
			switch {
			case text == term:
				best = max(best, 3)
			case strings.HasPrefix(text, term):
				best = max(best, 2)
			case strings.Contains(text, term):
				best = max(best, 1)
			}
		}
	}
	return best
}

// compile checks the request against the documented limits and turns each given parameter into a
// condition. A new filter is one more line here and, when it has limits, in listLimits. classesWithin
// expands class IDs to the classes and all their subclasses; beforeIncluded: see
// Options.SearchCreateTimeBeforeIncluded.
func (r *searchMediaRequest) compile(classesWithin func(ids []int64) []int64, beforeIncluded bool) (*mediaQuery, *apiError) {
	if apiErr := r.checkLimits(); apiErr != nil {
		return nil, apiErr
	}
	q := &mediaQuery{newestFirst: true}
	created, apiErr := r.createTimeRange()
	if apiErr != nil {
		return nil, apiErr
	}
	if created != nil {
		created.beforeIncluded = beforeIncluded
	}
	expires, apiErr := parseTimeRange("ExpireTime", r.ExpireTime)
	if apiErr != nil {
		return nil, apiErr
	}
	if q.offset, q.limit, apiErr = r.page(); apiErr != nil {
		return nil, apiErr
	}
	if q.newestFirst, apiErr = r.sortNewestFirst(); apiErr != nil {
		return nil, apiErr
	}
	q.relevance = slices.Concat(r.Names, r.Descriptions)
	if r.Text != "" {
		q.relevance = append(q.relevance, r.Text)
	}
	q.add(len(r.FileIDs) > 0, func(m MediaFile) bool { return slices.Contains(r.FileIDs, m.FileID) })
	q.add(len(r.Names) > 0, func(m MediaFile) bool { return containsAnyFold(m.Name, r.Names) })
	q.add(len(r.NamePrefixes) > 0, func(m MediaFile) bool { return hasAnyPrefix(m.Name, r.NamePrefixes) })
	q.add(len(r.Descriptions) > 0, func(m MediaFile) bool { return containsAnyFold(m.Description, r.Descriptions) })
	q.add(r.Text != "", func(m MediaFile) bool { return containsAnyFold(m.Name+"\n"+m.Description, []string{r.Text}) })
	if len(r.ClassIDs) > 0 {
		classes := classesWithin(r.ClassIDs) // "匹配集合指定 ID 的分类及其所有子类"
		q.add(true, func(m MediaFile) bool { return slices.Contains(classes, m.ClassID) })
	}
	q.add(len(r.Tags) > 0, func(m MediaFile) bool {
		return slices.ContainsFunc(m.Tags, func(tag string) bool { return slices.Contains(r.Tags, tag) })
	})
	q.add(len(r.Categories) > 0, func(m MediaFile) bool { return slices.Contains(r.Categories, m.Category) })
	q.add(len(r.SourceTypes) > 0, func(MediaFile) bool { return slices.Contains(r.SourceTypes, emulatedSourceType) })
	q.add(r.SourceType != "", func(MediaFile) bool { return r.SourceType == emulatedSourceType })
	q.add(len(r.MediaTypes) > 0, func(m MediaFile) bool { return containsFold(r.MediaTypes, m.Type) })
	q.add(len(r.StorageRegions) > 0, func(m MediaFile) bool { return slices.Contains(r.StorageRegions, m.StorageRegion) })
	q.add(len(r.StorageClasses) > 0, func(MediaFile) bool { return slices.Contains(r.StorageClasses, emulatedStorageClass) })
	q.add(len(r.Status) > 0, func(MediaFile) bool { return slices.Contains(r.Status, emulatedStatus) })
	q.add(len(r.ReviewResults) > 0, func(MediaFile) bool { return slices.Contains(r.ReviewResults, emulatedReviewResult) })
	q.add(created != nil, func(m MediaFile) bool { return created.contains(m.CreateTime) })
	q.add(expires != nil, func(m MediaFile) bool { return expires.contains(expiryOrNever(m)) })
	// Media of live streams, TRTC rooms and knowledge bases never exist in the emulator.
	q.add(len(r.StreamIDs)+len(r.StreamDomains)+len(r.StreamPaths) > 0 || r.StreamID != "", noMedia)
	q.add(len(r.TrtcSdkAppIDs)+len(r.TrtcRoomIDs)+len(r.KnowledgeBases) > 0, noMedia)
	return q, nil
}

// What every emulated media file is: uploaded, standard storage, not banned, never reviewed.
const (
	emulatedSourceType   = "Upload"
	emulatedStorageClass = "STANDARD"
	emulatedStatus       = "Normal"
	emulatedReviewResult = "notModerated"
)

func noMedia(MediaFile) bool { return false }

// add keeps condition when its parameter was given.
func (q *mediaQuery) add(given bool, condition mediaCondition) {
	if given {
		q.conditions = append(q.conditions, condition)
	}
}

func (r *searchMediaRequest) checkLimits() *apiError {
	for _, l := range r.listLimits() {
		if l.maxItems > 0 && len(l.values) > l.maxItems {
			return newAPIError(CodeInvalidParameterValue, "%s has %d entries; at most %d are allowed.", l.name, len(l.values), l.maxItems)
		}
		for i, v := range l.values {
			if v == "" {
				return newAPIError(CodeInvalidParameterValue, "%s.%d is empty.", l.name, i)
			}
			if l.maxChar > 0 && utf8.RuneCountInString(v) > l.maxChar {
				return newAPIError(CodeInvalidParameterValue, "%s.%d is longer than %d characters.", l.name, i, l.maxChar)
			}
		}
	}
	if len(r.ClassIDs) > 10 {
		return newAPIError(CodeInvalidParameterValue, "ClassIds has %d entries; at most 10 are allowed.", len(r.ClassIDs))
	}
	if len(r.TrtcSdkAppIDs) > 10 {
		return newAPIError(CodeInvalidParameterValue, "TrtcSdkAppIds has %d entries; at most 10 are allowed.", len(r.TrtcSdkAppIDs))
	}
	if utf8.RuneCountInString(r.Text) > 64 {
		return newAPIError(CodeInvalidParameterValue, "Text is longer than 64 characters.")
	}
	if apiErr := checkAllowed("Categories", r.Categories, "Video", "Audio", "Image"); apiErr != nil {
		return apiErr
	}
	if apiErr := checkAllowed("StorageClasses", r.StorageClasses, "STANDARD", "STANDARD_IA", "ARCHIVE", "DEEP_ARCHIVE"); apiErr != nil {
		return apiErr
	}
	if apiErr := checkAllowed("Status", r.Status, "Normal", "SystemForbidden", "Forbidden"); apiErr != nil {
		return apiErr
	}
	if apiErr := checkAllowed("ReviewResults", r.ReviewResults, "pass", "review", "block", "notModerated"); apiErr != nil {
		return apiErr
	}
	return checkMediaInfoFilters(r.Filters)
}

func checkAllowed(name string, values []string, allowed ...string) *apiError {
	for i, v := range values {
		if !slices.Contains(allowed, v) {
			return newAPIError(CodeInvalidParameterValue, "%s.%d `%s` is not one of %s.", name, i, v, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// page returns Offset and Limit: the defaults are 0 and 10, and together they may not pass 5000.
func (r *searchMediaRequest) page() (offset, limit int, apiErr *apiError) {
	o, l := uint64(0), uint64(defaultSearchLimit)
	if r.Offset != nil {
		o = *r.Offset
	}
	if r.Limit != nil && *r.Limit > 0 {
		l = *r.Limit
	}
	if o > maxSearchResults || l > maxSearchResults-o {
		return 0, 0, newAPIError(CodeInvalidParameterValue,
			"Offset + Limit is %d; at most %d results can be paged through: narrow the search instead.", o+l, maxSearchResults)
	}
	return int(o), int(l), nil
}

// sortNewestFirst checks Sort; without it results come newest first.
func (r *searchMediaRequest) sortNewestFirst() (bool, *apiError) {
	if r.Sort == nil {
		return true, nil
	}
	if r.Sort.Field != "CreateTime" {
		return false, newAPIError(CodeInvalidParameterValue, "Sort.Field `%s` is not supported; it must be CreateTime.", r.Sort.Field)
	}
	switch r.Sort.Order {
	case "Desc":
		return true, nil
	case "Asc":
		return false, nil
	}
	return false, newAPIError(CodeInvalidParameterValue, "Sort.Order `%s` must be Asc or Desc.", r.Sort.Order)
}

// createTimeRange is CreateTime, completed by the deprecated StartTime and EndTime where CreateTime
// leaves an end open (CreateTime wins, as documented).
func (r *searchMediaRequest) createTimeRange() (*instantRange, *apiError) {
	if r.StartTime == "" && r.EndTime == "" {
		return parseTimeRange("CreateTime", r.CreateTime)
	}
	merged := timeRange{After: r.StartTime, Before: r.EndTime}
	if r.CreateTime != nil {
		merged.After = cmp.Or(r.CreateTime.After, merged.After)
		merged.Before = cmp.Or(r.CreateTime.Before, merged.Before)
	}
	return parseTimeRange("CreateTime", &merged)
}

// instantRange is a parsed TimeRange; a zero end is open. Before is excluded unless beforeIncluded.
type instantRange struct {
	after, before  time.Time
	beforeIncluded bool
}

// contains compares in whole seconds, the precision of the times the API shows.
func (r *instantRange) contains(t time.Time) bool {
	t = t.Truncate(time.Second)
	beforeEnd := r.before.IsZero() || t.Before(r.before) || (r.beforeIncluded && t.Equal(r.before))
	return (r.after.IsZero() || !t.Before(r.after)) && beforeEnd
}

func parseTimeRange(name string, tr *timeRange) (*instantRange, *apiError) {
	if tr == nil {
		return nil, nil
	}
	var r instantRange
	for _, end := range []struct {
		field, value string
		dst          *time.Time
	}{{"After", tr.After, &r.after}, {"Before", tr.Before, &r.before}} {
		if end.value == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, end.value)
		if err != nil {
			return nil, newAPIError(CodeInvalidParameterValue, "%s.%s `%s` is not an ISO 8601 time such as 2024-01-01T00:00:00Z.", name, end.field, end.value)
		}
		*end.dst = t
	}
	if !r.after.IsZero() && !r.before.IsZero() && !r.after.Before(r.before) {
		return nil, newAPIError(CodeInvalidParameterValue, "%s.After must be earlier than %s.Before.", name, name)
	}
	return &r, nil
}

// expiryOrNever is the media's expiry as the API shows it: media that never expire carry 9999-12-31.
func expiryOrNever(m MediaFile) time.Time {
	if m.ExpireTime.IsZero() {
		never, _ := time.Parse(time.RFC3339, neverExpires)
		return never
	}
	return m.ExpireTime
}

func containsAnyFold(text string, terms []string) bool {
	text = strings.ToLower(text)
	return slices.ContainsFunc(terms, func(term string) bool { return strings.Contains(text, strings.ToLower(term)) })
}

func hasAnyPrefix(text string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(prefix string) bool { return strings.HasPrefix(text, prefix) })
}
