package emulator

import (
	"slices"
	"strconv"
)

// deletePartTypes are the documented DeleteParts.N.Type values. The emulator has original files,
// transcodes and adaptive streams; the WeChat kinds are accepted and have nothing to delete.
var deletePartTypes = []string{
	"OriginalFiles", "TranscodeFiles", "AdaptiveDynamicStreamingFiles", "WechatPublishFiles",
	"WechatMiniProgramPublishFiles",
}

type deleteMediaRequest struct {
	FileID      string            `json:"FileId"`
	SubAppID    *uint64           `json:"SubAppId,omitempty"`
	DeleteParts []mediaDeleteItem `json:"DeleteParts,omitempty"`
}

type mediaDeleteItem struct {
	Type       string `json:"Type"`
	Definition *int64 `json:"Definition,omitempty"`
}

type deleteMediaResponse struct{}

// deleteMedia implements DeleteMedia. Without DeleteParts the whole media file goes: its record, its
// media and cover objects and its processing outputs. With DeleteParts only the parts named go:
// OriginalFiles the media object (the record stays, as on VOD, where the FileId keeps its processed
// files), TranscodeFiles and AdaptiveDynamicStreamingFiles the outputs of that Definition (0 or
// absent: all of them).
func (s *Server) deleteMedia(call *apiCall) (any, *apiError) {
	var req deleteMediaRequest
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
	if apiErr := checkDeleteParts(req.DeleteParts); apiErr != nil {
		return nil, apiErr
	}
	s.purgeExpiredMedia()
	if len(req.DeleteParts) == 0 {
		m, ok := s.vod.remove(req.FileID, subAppID)
		if !ok {
			return nil, errMediaNotFound(CodeResourceNotFound, req.FileID)
		}
		s.deleteMediaObjects(m, true)
		return deleteMediaResponse{}, nil
	}
	m, ok := s.vod.mediaFile(req.FileID, subAppID)
	if !ok {
		return nil, errMediaNotFound(CodeResourceNotFound, req.FileID)
	}
	if slices.ContainsFunc(req.DeleteParts, func(p mediaDeleteItem) bool { return p.Type == "OriginalFiles" }) {
		s.deleteMediaObjects(m, false)
	}
	_, _, found, _ := s.vod.update(m.FileID, subAppID, func(m MediaFile) (MediaFile, *apiError) {
		m.Outputs = outputsWithoutParts(m.Outputs, req.DeleteParts)
		return m, nil
	})
	if !found { // deleted by a concurrent call since it was looked up
		return nil, errMediaNotFound(CodeResourceNotFound, req.FileID)
	}
	return deleteMediaResponse{}, nil
}

// outputsWithoutParts drops the transcodes and adaptive streams that DeleteParts names.
func outputsWithoutParts(o MediaOutputs, parts []mediaDeleteItem) MediaOutputs {
	for _, part := range parts {
		definition := int64(0)
		if part.Definition != nil {
			definition = *part.Definition
		}
		switch part.Type {
		case "TranscodeFiles":
			o = o.withoutTranscodes(definition)
		case "AdaptiveDynamicStreamingFiles":
			o = o.withoutAdaptiveStreams(definition)
		}
	}
	return o
}

func checkDeleteParts(parts []mediaDeleteItem) *apiError {
	for i, part := range parts {
		if part.Type == "" {
			return errMissingParameter("DeleteParts." + strconv.Itoa(i) + ".Type")
		}
		if !slices.Contains(deletePartTypes, part.Type) {
			return newAPIError(CodeInvalidParameterValue, "DeleteParts.%d.Type `%s` is not a documented type.", i, part.Type)
		}
		if part.Definition != nil && *part.Definition < 0 {
			return newAPIError(CodeInvalidParameterValue, "DeleteParts.%d.Definition must not be negative.", i)
		}
	}
	return nil
}

// errMediaNotFound says that fileID is not a media file of the application in use.
func errMediaNotFound(code ErrorCode, fileID string) *apiError {
	return newAPIError(code, "The media file `%s` does not exist.", fileID)
}
