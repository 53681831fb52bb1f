package manifest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// maxDASHSegments bounds what one manifest may expand to, so that a template with a tiny duration
// cannot make the parser list billions of names.
const maxDASHSegments = 1_000_000

// The parts of an MPD (ISO/IEC 23009-1) that name files. Elements are matched by local name, so the
// urn:mpeg:dash:schema:mpd:2011 namespace needs no mention.
type (
	mpdDocument struct {
		XMLName  xml.Name    `xml:"MPD"`
		Duration string      `xml:"mediaPresentationDuration,attr"`
		BaseURL  []string    `xml:"BaseURL"`
		Periods  []mpdPeriod `xml:"Period"`
	}
	mpdPeriod struct {
		Duration string `xml:"duration,attr"`
		mpdSegmentInfo
		AdaptationSets []mpdAdaptationSet `xml:"AdaptationSet"`
	}
	mpdAdaptationSet struct {
		mpdSegmentInfo
		Representations []mpdRepresentation `xml:"Representation"`
	}
	mpdRepresentation struct {
		ID        string `xml:"id,attr"`
		Bandwidth string `xml:"bandwidth,attr"`
		mpdSegmentInfo
	}
	// mpdSegmentInfo is what each level (Period, AdaptationSet, Representation) may say about its files;
	// a lower level inherits what it does not say itself.
	mpdSegmentInfo struct {
		BaseURL     []string            `xml:"BaseURL"`
		Template    *mpdSegmentTemplate `xml:"SegmentTemplate"`
		List        *mpdSegmentList     `xml:"SegmentList"`
		SegmentBase *mpdSegmentBase     `xml:"SegmentBase"`
	}
	mpdSegmentTemplate struct {
		Media          *string      `xml:"media,attr"`
		Initialization *string      `xml:"initialization,attr"`
		Index          *string      `xml:"index,attr"`
		StartNumber    *uint64      `xml:"startNumber,attr"`
		EndNumber      *uint64      `xml:"endNumber,attr"`
		Timescale      *uint64      `xml:"timescale,attr"`
		Duration       *uint64      `xml:"duration,attr"`
		Timeline       *mpdTimeline `xml:"SegmentTimeline"`
	}
	mpdTimeline struct {
		S []struct {
			T *uint64 `xml:"t,attr"`
			D uint64  `xml:"d,attr"`
			R int64   `xml:"r,attr"`
		} `xml:"S"`
	}
	mpdSegmentList struct {
		Initialization *mpdURL  `xml:"Initialization"`
		SegmentURLs    []mpdURL `xml:"SegmentURL"`
	}
	mpdSegmentBase struct {
		Initialization *mpdURL `xml:"Initialization"`
	}
	mpdURL struct {
		SourceURL string `xml:"sourceURL,attr"`
		Media     string `xml:"media,attr"`
	}
)

// dashReferences lists the files of every Representation: its initialization segment and media
// segments from a SegmentTemplate (numbered, or timed by a SegmentTimeline) or a SegmentList, or, with
// neither, the single file its BaseURL names; each resolved against the BaseURLs above it.
func dashReferences(content []byte) ([]string, error) {
	var doc mpdDocument
	decoder := xml.NewDecoder(bytes.NewReader(content))
	if err := decoder.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a DASH manifest (MPD): %w", err)
	}
	var refs []string
	for i, period := range doc.Periods {
		periodDuration := period.Duration
		if periodDuration == "" && len(doc.Periods) == 1 {
			periodDuration = doc.Duration
		}
		seconds, err := isoDurationSeconds(periodDuration)
		if err != nil {
			return nil, fmt.Errorf("the duration of Period %d: %w", i+1, err)
		}
		periodBase := resolve(firstOf(doc.BaseURL), firstOf(period.BaseURL))
		for _, set := range period.AdaptationSets {
			setBase := resolve(periodBase, firstOf(set.BaseURL))
			setInfo := period.inheritedBy(set.mpdSegmentInfo)
			for _, rep := range set.Representations {
				files, err := representationFiles(rep, setInfo.inheritedBy(rep.mpdSegmentInfo), seconds, len(refs))
				if err != nil {
					return nil, fmt.Errorf("in Period %d, Representation %q: %w", i+1, rep.ID, err)
				}
				repBase := resolve(setBase, firstOf(rep.BaseURL))
				for _, file := range files {
					refs = append(refs, resolve(repBase, file))
				}
			}
		}
	}
	if len(refs) == 0 {
		return nil, errors.New("the DASH manifest names no files")
	}
	return refs, nil
}

// inheritedBy is the segment information of a lower level: its own, completed by this one's.
func (upper mpdSegmentInfo) inheritedBy(lower mpdSegmentInfo) mpdSegmentInfo {
	merged := lower
	if upper.Template != nil {
		template := *upper.Template
		if lower.Template != nil {
			template = lower.Template.completedBy(template)
		}
		merged.Template = &template
	}
	if merged.List == nil {
		merged.List = upper.List
	}
	if merged.SegmentBase == nil {
		merged.SegmentBase = upper.SegmentBase
	}
	return merged
}

func (t mpdSegmentTemplate) completedBy(upper mpdSegmentTemplate) mpdSegmentTemplate {
	fill := func(own **string, inherited *string) {
		if *own == nil {
			*own = inherited
		}
	}
	fill(&t.Media, upper.Media)
	fill(&t.Initialization, upper.Initialization)
	fill(&t.Index, upper.Index)
	for _, pair := range []struct{ own, inherited **uint64 }{
		{&t.StartNumber, &upper.StartNumber}, {&t.EndNumber, &upper.EndNumber},
		{&t.Timescale, &upper.Timescale}, {&t.Duration, &upper.Duration},
	} {
		if *pair.own == nil {
			*pair.own = *pair.inherited
		}
	}
	if t.Timeline == nil {
		t.Timeline = upper.Timeline
	}
	return t
}

// representationFiles lists one Representation's files relative to its BaseURL ("" for the BaseURL
// itself). listed is how many files were listed before, to bound the total.
func representationFiles(rep mpdRepresentation, info mpdSegmentInfo, periodSeconds float64, listed int) ([]string, error) {
	switch {
	case info.Template != nil && (info.Template.Media != nil || info.Template.Initialization != nil):
		return templateFiles(rep, *info.Template, periodSeconds, listed)
	case info.List != nil:
		var files []string
		if info.List.Initialization != nil && info.List.Initialization.SourceURL != "" {
			files = append(files, info.List.Initialization.SourceURL)
		}
		for _, segment := range info.List.SegmentURLs {
			files = append(files, segment.Media) // "" is the BaseURL itself, with a byte range
		}
		return files, nil
	}
	files := []string{""} // the BaseURL is the one file (SegmentBase, or no segment information)
	if base := info.SegmentBase; base != nil && base.Initialization != nil && base.Initialization.SourceURL != "" {
		files = append(files, base.Initialization.SourceURL)
	}
	return files, nil
}

// templateFiles expands a SegmentTemplate: the initialization and index segments, then one media
// segment per entry of the SegmentTimeline, or per duration in the period.
func templateFiles(rep mpdRepresentation, t mpdSegmentTemplate, periodSeconds float64, listed int) ([]string, error) {
	var files []string
	for _, name := range []*string{t.Initialization, t.Index} {
		if name != nil {
			file, err := expandTemplate(*name, rep, 0, 0)
			if err != nil {
				return nil, err
			}
			files = append(files, file)
		}
	}
	if t.Media == nil {
		return files, nil
	}
	number := uint64(1)
	if t.StartNumber != nil {
		number = *t.StartNumber
	}
	times, err := segmentTimes(t, periodSeconds, number)
	if err != nil {
		return nil, err
	}
	if listed+len(files)+len(times) > maxDASHSegments {
		return nil, fmt.Errorf("the manifest expands to more than %d files", maxDASHSegments)
	}
	for i, start := range times {
		file, err := expandTemplate(*t.Media, rep, number+uint64(i), start)
		if err != nil {
			return nil, err
		}
		files = append(files, file)
	}
	return files, nil
}

// segmentTimes is the start time (in timescale units) of each media segment.
func segmentTimes(t mpdSegmentTemplate, periodSeconds float64, startNumber uint64) ([]uint64, error) {
	timescale := uint64(1)
	if t.Timescale != nil && *t.Timescale > 0 {
		timescale = *t.Timescale
	}
	periodEnd := uint64(math.Ceil(periodSeconds * float64(timescale)))
	if t.Timeline != nil {
		return timelineTimes(t.Timeline, periodEnd)
	}
	if t.EndNumber != nil {
		if *t.EndNumber < startNumber || *t.EndNumber-startNumber >= maxDASHSegments {
			return nil, fmt.Errorf("endNumber %d does not fit startNumber %d", *t.EndNumber, startNumber)
		}
		d := uint64(0)
		if t.Duration != nil {
			d = *t.Duration
		}
		times := make([]uint64, *t.EndNumber-startNumber+1)
		for i := range times {
			times[i] = uint64(i) * d
		}
		return times, nil
	}
	if t.Duration == nil || *t.Duration == 0 {
		return nil, errors.New("SegmentTemplate has media but neither a SegmentTimeline nor a duration")
	}
	if periodSeconds <= 0 {
		return nil, errors.New("SegmentTemplate has a duration but the period's length is unknown " +
			"(Period@duration or MPD@mediaPresentationDuration)")
	}
	count := (periodEnd + *t.Duration - 1) / *t.Duration
	if count > maxDASHSegments {
		return nil, fmt.Errorf("the SegmentTemplate expands to %d segments, more than %d", count, maxDASHSegments)
	}
	times := make([]uint64, count)
	for i := range times {
		times[i] = uint64(i) * *t.Duration
	}
	return times, nil
}

// timelineTimes expands the S elements of a SegmentTimeline: each gives a start t (or follows the
// previous segment), a duration d and r repeats; r = -1 repeats up to the next S or the period's end.
func timelineTimes(timeline *mpdTimeline, periodEnd uint64) ([]uint64, error) {
	var times []uint64
	next := uint64(0)
	for i, s := range timeline.S {
		if s.T != nil {
			next = *s.T
		}
		if s.D == 0 {
			return nil, fmt.Errorf("SegmentTimeline S %d has no duration d", i+1)
		}
		count := uint64(s.R + 1)
		if s.R < 0 {
			end := periodEnd
			if i+1 < len(timeline.S) && timeline.S[i+1].T != nil {
				end = *timeline.S[i+1].T
			}
			if end <= next {
				return nil, fmt.Errorf("SegmentTimeline S %d repeats to the end of a period of unknown length", i+1)
			}
			count = (end - next + s.D - 1) / s.D
		}
		if uint64(len(times))+count > maxDASHSegments {
			return nil, fmt.Errorf("the SegmentTimeline expands to more than %d segments", maxDASHSegments)
		}
		for range count {
			times = append(times, next)
			next += s.D
		}
	}
	return times, nil
}

// templateIdentifier is one $...$ identifier of a template, with an optional printf width (%05d).
var templateIdentifier = regexp.MustCompile(`\$(RepresentationID|Number|Bandwidth|Time|SubNumber)?(%0[0-9]+d)?\$`)

// expandTemplate fills a template's identifiers ($$ is a dollar sign).
func expandTemplate(template string, rep mpdRepresentation, number, time uint64) (string, error) {
	var err error
	expanded := templateIdentifier.ReplaceAllStringFunc(template, func(match string) string {
		parts := templateIdentifier.FindStringSubmatch(match)
		name, format := parts[1], parts[2]
		var value string
		switch name {
		case "":
			if format != "" {
				err = fmt.Errorf("template %q: %q has a format but no identifier", template, match)
			}
			return "$"
		case "RepresentationID":
			return rep.ID // the standard forbids a format here; ignore it
		case "Bandwidth":
			value = rep.Bandwidth
		case "Number":
			value = strconv.FormatUint(number, 10)
		case "Time":
			value = strconv.FormatUint(time, 10)
		case "SubNumber":
			err = fmt.Errorf("template %q: $SubNumber$ is not supported", template)
			return match
		}
		if format != "" {
			width, _ := strconv.Atoi(format[2 : len(format)-1])
			value = strings.Repeat("0", max(0, width-len(value))) + value
		}
		return value
	})
	return expanded, err
}

// resolve resolves a relative reference against a base, as a URL is: everything after the base's last
// "/" is replaced. A reference that is a URL or an absolute path stays as it is, and is refused later.
func resolve(base, ref string) string {
	if ref == "" {
		return base
	}
	if hasScheme(ref) || strings.HasPrefix(ref, "/") {
		return ref
	}
	return base[:strings.LastIndex(base, "/")+1] + ref
}

func firstOf(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return strings.TrimSpace(values[0])
}

// isoDuration matches an xs:duration as manifests use it: PnDTnHnMnS (years and months have no fixed
// length and do not occur in manifests).
var isoDuration = regexp.MustCompile(`^P(?:([0-9.]+)D)?(?:T(?:([0-9.]+)H)?(?:([0-9.]+)M)?(?:([0-9.]+)S)?)?$`)

// isoDurationSeconds is an xs:duration in seconds; "" is 0 (unknown).
func isoDurationSeconds(value string) (float64, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, nil
	}
	parts := isoDuration.FindStringSubmatch(value)
	if parts == nil || value == "P" || value == "PT" {
		return 0, fmt.Errorf("%q is not a duration such as PT1M30S", value)
	}
	seconds := 0.0
	for i, unit := range []float64{86400, 3600, 60, 1} {
		if parts[i+1] == "" {
			continue
		}
		n, err := strconv.ParseFloat(parts[i+1], 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration such as PT1M30S", value)
		}
		seconds += n * unit
	}
	return seconds, nil
}
