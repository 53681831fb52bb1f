package emulator

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"path"
	"slices"
	"time"
	"unicode/utf8"
)

// ModifyMediaInfo limits from the reference, counted in characters.
const (
	maxMediaNameChars        = 64
	maxMediaDescriptionChars = 128
	maxTagChars              = 32
	maxTagsPerMedia          = 16
	maxKeyFrameDescChars     = 128
	maxKeyFrameDescsPerMedia = 100
)

type modifyMediaInfoRequest struct {
	FileID               string               `json:"FileId"`
	SubAppID             *uint64              `json:"SubAppId,omitempty"`
	Name                 *string              `json:"Name,omitempty"`
	Description          *string              `json:"Description,omitempty"`
	ClassID              *int64               `json:"ClassId,omitempty"`
	ExpireTime           *string              `json:"ExpireTime,omitempty"`
	CoverData            *string              `json:"CoverData,omitempty"`
	AddKeyFrameDescs     []KeyFrameDesc       `json:"AddKeyFrameDescs,omitempty"`
	DeleteKeyFrameDescs  []float64            `json:"DeleteKeyFrameDescs,omitempty"`
	ClearKeyFrameDescs   *int64               `json:"ClearKeyFrameDescs,omitempty"`
	AddTags              []string             `json:"AddTags,omitempty"`
	DeleteTags           []string             `json:"DeleteTags,omitempty"`
	ClearTags            *int64               `json:"ClearTags,omitempty"`
	AddSubtitles         []mediaSubtitleInput `json:"AddSubtitles,omitempty"`
	DeleteSubtitleIDs    []string             `json:"DeleteSubtitleIds,omitempty"`
	ClearSubtitles       *int64               `json:"ClearSubtitles,omitempty"`
	DeleteKnowledgeBases []string             `json:"DeleteKnowledgeBases,omitempty"`
	ClearKnowledgeBases  *int64               `json:"ClearKnowledgeBases,omitempty"`
}

type mediaSubtitleInput struct {
	Name     string `json:"Name"`
	Language string `json:"Language"`
	Format   string `json:"Format"`
	Content  string `json:"Content"`
	ID       string `json:"Id,omitempty"`
}

type modifyMediaInfoResponse struct {
	CoverURL         string   `json:"CoverUrl,omitempty"` // only when CoverData was sent
	AddedSubtitleSet []string `json:"AddedSubtitleSet"`   // always empty: subtitles are not emulated
}

// coverImage is a decoded CoverData.
type coverImage struct {
	data        []byte
	extension   string
	contentType string
}

// modifyMediaInfo implements ModifyMediaInfo for the basic properties, tags, key-frame descriptions and
// cover. Subtitles are not emulated and answer UnsupportedOperation; the emulated files are in no
// knowledge base, so removing them from knowledge bases changes nothing.
func (s *Server) modifyMediaInfo(call *apiCall) (any, *apiError) {
	var req modifyMediaInfoRequest
	if apiErr := call.decode(&req); apiErr != nil {
		return nil, apiErr
	}
	if req.FileID == "" {
		return nil, errMissingParameter("FileId")
	}
	subAppID, apiErr := s.resolveSubAppID(req.SubAppID)
	if apiErr != nil {
		return nil, apiErr
	}
	if apiErr := s.validateModifyMediaInfo(req, subAppID, call.Now); apiErr != nil {
		return nil, apiErr
	}
	var cover *coverImage
	if req.CoverData != nil {
		if cover, apiErr = decodeCoverData(*req.CoverData); apiErr != nil {
			return nil, apiErr
		}
	}
	s.purgeExpiredMedia()
	current, ok := s.vod.mediaFile(req.FileID, subAppID)
	if !ok {
		return nil, errMediaNotFound(CodeFileNotExist, req.FileID)
	}
	newCoverKey := ""
	if cover != nil {
		if newCoverKey, apiErr = s.storeCover(current, cover); apiErr != nil {
			return nil, apiErr
		}
	}
	before, after, found, apiErr := s.vod.update(req.FileID, subAppID, func(m MediaFile) (MediaFile, *apiError) {
		return s.applyMediaChanges(m, req, newCoverKey, call.Now)
	})
	if !found || apiErr != nil {
		// Deleted meanwhile, or the tag limit was reached: the new cover belongs to nobody.
		if newCoverKey != "" {
			s.objects.DeleteObject(current.Bucket, newCoverKey)
		}
		if !found {
			return nil, errMediaNotFound(CodeFileNotExist, req.FileID)
		}
		return nil, apiErr
	}
	resp := modifyMediaInfoResponse{AddedSubtitleSet: []string{}}
	if newCoverKey != "" {
		if before.CoverKey != "" && before.CoverKey != newCoverKey {
			s.objects.DeleteObject(before.Bucket, before.CoverKey) // the old cover is replaced
		}
		resp.CoverURL = after.CoverURL
	}
	return resp, nil
}

// validateModifyMediaInfo checks every value that does not depend on the media file's current state.
func (s *Server) validateModifyMediaInfo(req modifyMediaInfoRequest, subAppID uint64, now time.Time) *apiError {
	for _, check := range []func() *apiError{
		func() *apiError { return checkUnsupportedMediaChanges(req) },
		func() *apiError { return checkMediaText(req.Name, req.Description) },
		func() *apiError { return s.checkClassID(subAppID, req.ClassID) },
		func() *apiError {
			if req.ExpireTime == nil {
				return nil
			}
			if *req.ExpireTime == "" {
				return newAPIError(CodeInvalidExpireTime, "ExpireTime must not be empty; use %s for no expiry.", neverExpires)
			}
			return checkExpireTime(*req.ExpireTime, now)
		},
		func() *apiError { return checkTagChanges(req.AddTags, req.DeleteTags, req.ClearTags) },
		func() *apiError {
			return checkKeyFrameDescChanges(req.AddKeyFrameDescs, req.DeleteKeyFrameDescs, req.ClearKeyFrameDescs)
		},
	} {
		if apiErr := check(); apiErr != nil {
			return apiErr
		}
	}
	return nil
}

func checkUnsupportedMediaChanges(req modifyMediaInfoRequest) *apiError {
	if len(req.AddSubtitles) > 0 || len(req.DeleteSubtitleIDs) > 0 || isOne(req.ClearSubtitles) {
		return newAPIError(CodeUnsupportedOperation, "The emulator does not support subtitles.")
	}
	return nil
}

func isOne(v *int64) bool { return v != nil && *v == 1 }

func checkMediaText(name, description *string) *apiError {
	if name != nil {
		if n := utf8.RuneCountInString(*name); n > maxMediaNameChars {
			return newAPIError(CodeInvalidName, "Name is %d characters long; the limit is %d.", n, maxMediaNameChars)
		}
		if apiErr := checkNoControlCharacters(CodeInvalidName, "Name", *name); apiErr != nil {
			return apiErr
		}
	}
	if description != nil {
		if n := utf8.RuneCountInString(*description); n > maxMediaDescriptionChars {
			return newAPIError(CodeInvalidDescription, "Description is %d characters long; the limit is %d.", n, maxMediaDescriptionChars)
		}
	}
	return nil
}

// checkTagChanges applies the rules that need no state: tag length, and that a request may not both
// add a tag and clear all tags, nor add and delete the same tag.
func checkTagChanges(add, remove []string, clearTags *int64) *apiError {
	if len(add) > 0 && isOne(clearTags) {
		return newAPIError(CodeAddTagsAndClearTagsConflict, "AddTags and ClearTags cannot be used in the same request.")
	}
	for i, tag := range add {
		if tag == "" {
			return newAPIError(CodeInvalidParameterValue, "AddTags.%d is empty.", i)
		}
		if n := utf8.RuneCountInString(tag); n > maxTagChars {
			return newAPIError(CodeTagTooLong, "AddTags.%d is %d characters long; the limit is %d.", i, n, maxTagChars)
		}
		if slices.Contains(remove, tag) {
			return newAPIError(CodeAddTagsAndDeleteTagsConflict, "The tag `%s` is both added and deleted.", tag)
		}
	}
	return nil
}

// checkKeyFrameDescChanges applies the documented rules that need no state: each added description has
// a time offset of zero or more and 1 to 128 characters of content; a request may not both add and clear
// descriptions, nor add and delete at the same time offset.
func checkKeyFrameDescChanges(add []KeyFrameDesc, remove []float64, clearAll *int64) *apiError {
	if len(add) > 0 && isOne(clearAll) {
		return newAPIError(CodeAddKeyFrameDescsAndClearKeyFrameDescsConflict,
			"AddKeyFrameDescs and ClearKeyFrameDescs cannot be used in the same request.")
	}
	for i, desc := range add {
		if desc.TimeOffset < 0 {
			return newAPIError(CodeInvalidParameterValue, "AddKeyFrameDescs.%d.TimeOffset must not be negative.", i)
		}
		if desc.Content == "" {
			return newAPIError(CodeInvalidParameterValue, "AddKeyFrameDescs.%d.Content is empty.", i)
		}
		if n := utf8.RuneCountInString(desc.Content); n > maxKeyFrameDescChars {
			return newAPIError(CodeKeyFrameDescContentTooLong,
				"AddKeyFrameDescs.%d.Content is %d characters long; the limit is %d.", i, n, maxKeyFrameDescChars)
		}
		if slices.Contains(remove, desc.TimeOffset) {
			return newAPIError(CodeAddKeyFrameDescsAndDeleteKeyFrameDescsConflict,
				"The time offset %g is both in AddKeyFrameDescs and DeleteKeyFrameDescs.", desc.TimeOffset)
		}
	}
	return nil
}

// changedKeyFrameDescs clears, then deletes, then adds (replacing a description at the same time
// offset), keeps the result ordered by time offset, and enforces the per-file limit.
func changedKeyFrameDescs(descs, add []KeyFrameDesc, remove []float64, clearAll bool) ([]KeyFrameDesc, *apiError) {
	if clearAll {
		descs = nil
	}
	descs = slices.DeleteFunc(slices.Clone(descs), func(d KeyFrameDesc) bool {
		return slices.Contains(remove, d.TimeOffset) ||
			slices.ContainsFunc(add, func(a KeyFrameDesc) bool { return a.TimeOffset == d.TimeOffset })
	})
	for i, desc := range add {
		// Of several additions at one offset in the same request, the last one wins.
		if !slices.ContainsFunc(add[i+1:], func(a KeyFrameDesc) bool { return a.TimeOffset == desc.TimeOffset }) {
			descs = append(descs, desc)
		}
	}
	if len(descs) > maxKeyFrameDescsPerMedia {
		return nil, newAPIError(CodeKeyFrameDescCountReachMax,
			"A media file can have at most %d key-frame descriptions; this request would leave %d.",
			maxKeyFrameDescsPerMedia, len(descs))
	}
	slices.SortStableFunc(descs, func(a, b KeyFrameDesc) int { return cmp.Compare(a.TimeOffset, b.TimeOffset) })
	return descs, nil
}

// decodeCoverData accepts base64 (standard alphabet, padding optional) of a GIF, JPEG or PNG image,
// recognised by its magic bytes as VOD accepts only these three formats.
func decodeCoverData(encoded string) (*coverImage, *apiError) {
	data, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		data, err = base64.RawStdEncoding.DecodeString(encoded)
	}
	if err != nil {
		return nil, newAPIError(CodeImageDecodeError, "CoverData is not valid Base64.")
	}
	for _, format := range []struct {
		magic       []byte
		extension   string
		contentType string
	}{
		{[]byte("GIF87a"), "gif", "image/gif"},
		{[]byte("GIF89a"), "gif", "image/gif"},
		{[]byte{0xFF, 0xD8, 0xFF}, "jpg", "image/jpeg"},
		{[]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, "png", "image/png"},
	} {
		if bytes.HasPrefix(data, format.magic) {
			return &coverImage{data: data, extension: format.extension, contentType: format.contentType}, nil
		}
	}
	return nil, newAPIError(CodeImageDecodeError, "CoverData is not a GIF, JPEG or PNG image.")
}

// storeCover writes a new cover object next to the media object under a fresh name, so that the old
// cover URL and the new one never serve each other's bytes.
func (s *Server) storeCover(m MediaFile, cover *coverImage) (string, *apiError) {
	key := path.Join(path.Dir(m.MediaKey), "cover-"+randomHex(8)+"."+cover.extension)
	if _, err := s.objects.PutObjectBytes(m.Bucket, key, cover.data, cover.contentType); err != nil {
		return "", newAPIError(CodeInternalError, "The cover image could not be stored.")
	}
	return key, nil
}

// applyMediaChanges returns m with the request's changes; it runs under the VOD store's lock.
func (s *Server) applyMediaChanges(m MediaFile, req modifyMediaInfoRequest, newCoverKey string, now time.Time) (MediaFile, *apiError) {
	if req.Name != nil {
		m.Name = *req.Name
	}
	if req.Description != nil {
		m.Description = *req.Description
	}
	if req.ClassID != nil {
		// Checked again under the store's lock: the class may have been deleted since validation.
		if !s.vod.classes.exists(m.SubAppID, *req.ClassID) {
			return MediaFile{}, errNoSuchClass(*req.ClassID)
		}
		m.ClassID = *req.ClassID
	}
	if req.ExpireTime != nil {
		m.ExpireTime = parseExpireTime(*req.ExpireTime)
	}
	if newCoverKey != "" {
		m.CoverKey = newCoverKey
		m.CoverURL = s.mediaURL(m.Bucket, newCoverKey)
	}
	tags, apiErr := changedTags(m.Tags, req.AddTags, req.DeleteTags, isOne(req.ClearTags))
	if apiErr != nil {
		return MediaFile{}, apiErr
	}
	m.Tags = tags
	descs, apiErr := changedKeyFrameDescs(m.KeyFrameDescs, req.AddKeyFrameDescs, req.DeleteKeyFrameDescs,
		isOne(req.ClearKeyFrameDescs))
	if apiErr != nil {
		return MediaFile{}, apiErr
	}
	m.KeyFrameDescs = descs
	m.UpdateTime = now
	return m, nil
}

// changedTags clears, then deletes, then adds (skipping tags already present), and enforces the
// per-file tag limit on the result.
func changedTags(tags, add, remove []string, clearAll bool) ([]string, *apiError) {
	if clearAll {
		tags = []string{}
	}
	tags = slices.DeleteFunc(slices.Clone(tags), func(tag string) bool { return slices.Contains(remove, tag) })
	for _, tag := range add {
		if !slices.Contains(tags, tag) {
			tags = append(tags, tag)
		}
	}
	if len(tags) > maxTagsPerMedia {
		return nil, newAPIError(CodeTagCountReachMax, "A media file can have at most %d tags; this request would leave %d.", maxTagsPerMedia, len(tags))
	}
	return tags, nil
}
