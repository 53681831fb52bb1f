package emulator

import (
	"slices"
	"strconv"
)

// deletePartTypes are the documented DeleteParts.N.Type values. The emulator only has original files;
// the other kinds are accepted and have nothing to delete.
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

// deleteMedia implements DeleteMedia. Without DeleteParts the whole media file goes: its record and
// its media and cover objects. With DeleteParts naming OriginalFiles only the media object goes and the
// record stays (as on VOD, where the FileId keeps its processed files); other parts are no-ops here.
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
	return deleteMediaResponse{}, nil
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
