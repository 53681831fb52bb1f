package provider

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// This file maps between the Terraform models and the client's request and response structs
// (expand: model to request; flatten: response to model), with the value helpers several types share.

// applyUploadArguments are the arguments ApplyUpload takes, as the media resource and the upload session
// hold them. SubAppID is already resolved by the caller, because the two types default it differently.
type applyUploadArguments struct {
	ClassID        types.Int64
	CoverType      types.String
	ExpireTime     timetypes.RFC3339
	ExtInfo        types.String
	MediaName      types.String
	MediaType      types.String
	Procedure      types.String
	SessionContext types.String
	SourceContext  types.String
	StorageRegion  types.String
	SubAppID       *uint64
}

// expandApplyUploadRequest maps the arguments to the request. Unset arguments stay unset, so that the
// API decides.
func expandApplyUploadRequest(args applyUploadArguments) (*vod.ApplyUploadRequest, diag.Diagnostics) {
	req := &vod.ApplyUploadRequest{
		MediaType:      vod.NormalizeFileType(args.MediaType.ValueString()),
		MediaName:      args.MediaName.ValueString(),
		CoverType:      vod.NormalizeFileType(args.CoverType.ValueString()),
		Procedure:      args.Procedure.ValueString(),
		StorageRegion:  args.StorageRegion.ValueString(),
		SourceContext:  args.SourceContext.ValueString(),
		SessionContext: args.SessionContext.ValueString(),
		ExtInfo:        args.ExtInfo.ValueString(),
		ClassID:        knownInt64Pointer(args.ClassID), // unset: the API's default category
		SubAppID:       args.SubAppID,
	}
	var diags diag.Diagnostics
	req.ExpireTime, diags = utcTimePointer(args.ExpireTime)
	return req, diags
}

// applyUploadRequest maps the planned media to ApplyUpload.
func (m *mediaResourceModel) applyUploadRequest() (*vod.ApplyUploadRequest, diag.Diagnostics) {
	args := applyUploadArguments{
		ClassID:        m.ClassID,
		ExpireTime:     m.ExpireTime,
		MediaName:      m.MediaName,
		MediaType:      m.MediaType,
		Procedure:      m.Procedure,
		SessionContext: m.SessionContext,
		SourceContext:  m.SourceContext,
		StorageRegion:  m.StorageRegion,
		SubAppID:       pinnedSubAppID(m.SubAppID),
	}
	if !m.CoverSource.IsNull() {
		args.CoverType = m.CoverType
	}
	return expandApplyUploadRequest(args)
}

// expandApplyUploadRequest maps the session's arguments to ApplyUpload.
func (m *uploadSessionEphemeralResourceModel) expandApplyUploadRequest() (*vod.ApplyUploadRequest, diag.Diagnostics) {
	return expandApplyUploadRequest(applyUploadArguments{
		ClassID:        m.ClassID,
		CoverType:      m.CoverType,
		ExpireTime:     m.ExpireTime,
		ExtInfo:        m.ExtInfo,
		MediaName:      m.MediaName,
		MediaType:      m.MediaType,
		Procedure:      m.Procedure,
		SessionContext: m.SessionContext,
		SourceContext:  m.SourceContext,
		StorageRegion:  m.StorageRegion,
		SubAppID:       optionalSubAppID(m.SubAppID),
	})
}

// pinnedSubAppID is the SubAppId of every call about a media the resource manages: the one recorded in
// state when the media was created. Null there means the media was created without a SubAppId, and it
// must stay so: a provider default configured later would look in another application.
func pinnedSubAppID(v types.Int64) *uint64 {
	if id := optionalSubAppID(v); id != nil {
		return id
	}
	return vod.WithoutSubAppID()
}

// optionalSubAppID is a sub_app_id argument of a type that keeps nothing across runs (the upload session,
// the data source): null lets the client use the provider's default.
func optionalSubAppID(v types.Int64) *uint64 {
	if !isKnown(v) {
		return nil
	}
	id := uint64(v.ValueInt64())
	return &id
}

// mediaInfoValues is DescribeMediaInfos' answer about one media as Terraform values: the one flatten that
// the media resource and the media data source share.
type mediaInfoValues struct {
	FileID        types.String
	Name          types.String
	Description   types.String
	ClassID       types.Int64
	ClassName     types.String
	ClassPath     types.String
	MediaURL      types.String
	CoverURL      types.String
	Type          types.String
	Category      types.String
	Status        types.String
	StorageClass  types.String
	StorageRegion types.String
	Size          types.Int64
	Tags          types.Set
	CreateTime    timetypes.RFC3339
	UpdateTime    timetypes.RFC3339
	ExpireTime    timetypes.RFC3339
	Outputs       mediaOutputsModel
}

// flattenMediaInfo converts one media. known is the expiry the caller holds already (state, or null):
// it is kept when VOD reports the same instant (so a configured "+08:00" spelling does not show as a
// change) and when VOD reports an expiry that cannot be parsed (with a warning: the provider cannot tell
// what it means, so it does not guess).
func flattenMediaInfo(ctx context.Context, info *vod.MediaInfo, known timetypes.RFC3339) (mediaInfoValues, diag.Diagnostics) {
	var diags diag.Diagnostics
	basic := info.BasicInfo
	if basic == nil {
		basic = &vod.MediaBasicInfo{}
	}
	v := mediaInfoValues{
		FileID:        types.StringValue(info.FileID),
		Name:          types.StringValue(basic.Name),
		Description:   types.StringValue(basic.Description),
		ClassID:       types.Int64Value(basic.ClassID),
		ClassName:     types.StringValue(basic.ClassName),
		ClassPath:     types.StringValue(basic.ClassPath),
		MediaURL:      types.StringValue(basic.MediaURL),
		CoverURL:      stringOrNull(basic.CoverURL),
		Type:          types.StringValue(basic.Type),
		Category:      types.StringValue(basic.Category),
		Status:        types.StringValue(basic.Status),
		StorageClass:  types.StringValue(basic.StorageClass),
		StorageRegion: types.StringValue(basic.StorageRegion),
		Size:          types.Int64Value(0),
	}
	if info.MetaData != nil {
		v.Size = types.Int64Value(info.MetaData.Size)
	}
	var d diag.Diagnostics
	v.Tags, d = tagSet(ctx, basic.TagSet)
	diags.Append(d...)
	v.CreateTime, d = apiTime(info.FileID, "CreateTime", basic.CreateTime)
	diags.Append(d...)
	v.UpdateTime, d = apiTime(info.FileID, "UpdateTime", basic.UpdateTime)
	diags.Append(d...)
	v.ExpireTime, d = flattenExpireTime(info.FileID, basic.ExpireTime, known)
	diags.Append(d...)
	v.Outputs, d = flattenMediaOutputs(ctx, info)
	diags.Append(d...)
	return v, diags
}

// flattenExpireTime converts VOD's ExpireTime: "never" (or nothing) is null; see flattenMediaInfo for known.
func flattenExpireTime(fileID, value string, known timetypes.RFC3339) (timetypes.RFC3339, diag.Diagnostics) {
	var diags diag.Diagnostics
	if value == "" || value == vod.NeverExpires {
		return timetypes.NewRFC3339Null(), diags
	}
	expires, err := time.Parse(time.RFC3339, value)
	if err != nil {
		diags.Append(unexpectedTimeWarning(fileID, "ExpireTime", value))
		return known, diags
	}
	if isKnown(known) {
		if current, d := known.ValueRFC3339Time(); !d.HasError() && current.Equal(expires) {
			return known, diags
		}
	}
	return timetypes.NewRFC3339TimeValue(expires), diags
}

// apiTime converts a time VOD reports; a missing one is null, a malformed one null with a warning.
func apiTime(fileID, field, value string) (timetypes.RFC3339, diag.Diagnostics) {
	var diags diag.Diagnostics
	if value == "" {
		return timetypes.NewRFC3339Null(), diags
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		diags.Append(unexpectedTimeWarning(fileID, field, value))
		return timetypes.NewRFC3339Null(), diags
	}
	return timetypes.NewRFC3339TimeValue(t), diags
}

func unexpectedTimeWarning(fileID, field, value string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Unexpected VOD Response",
		fmt.Sprintf("DescribeMediaInfos reported %s %q for media %s, which is not an RFC 3339 time; it was ignored.",
			field, value, fileID))
}

// flattenMediaInfo fills the resource's model from DescribeMediaInfos. Arguments keep their configured
// spelling when VOD reports the same value (an expiry in another zone, a media type in capitals).
func (m *mediaResourceModel) flattenMediaInfo(ctx context.Context, info *vod.MediaInfo) diag.Diagnostics {
	v, diags := flattenMediaInfo(ctx, info, m.ExpireTime)
	m.FileID = v.FileID
	m.ID = v.FileID
	m.MediaName = v.Name
	m.Description = v.Description
	m.ClassID = v.ClassID
	m.MediaURL = v.MediaURL
	m.CoverURL = v.CoverURL
	m.Type = v.Type
	m.Category = v.Category
	m.StorageRegion = v.StorageRegion
	m.Size = v.Size
	m.Tags = v.Tags
	m.CreateTime = v.CreateTime
	m.ExpireTime = v.ExpireTime
	m.mediaOutputsModel = v.Outputs
	if !isKnown(m.MediaType) {
		m.MediaType = v.Type
	}
	if m.CoverType.IsUnknown() {
		m.CoverType = types.StringNull()
	}
	if m.SubAppID.IsUnknown() {
		m.SubAppID = types.Int64Null() // what pinnedSubAppID sent
	}
	return diags
}

// flatten fills the data source's model from DescribeMediaInfos.
func (m *mediaDataSourceModel) flatten(ctx context.Context, info *vod.MediaInfo) diag.Diagnostics {
	v, diags := flattenMediaInfo(ctx, info, timetypes.NewRFC3339Null())
	m.ID = v.FileID
	m.Name = v.Name
	m.Description = v.Description
	m.ClassID = v.ClassID
	m.ClassName = v.ClassName
	m.ClassPath = v.ClassPath
	m.MediaURL = v.MediaURL
	m.CoverURL = v.CoverURL
	m.Type = v.Type
	m.Category = v.Category
	m.Status = v.Status
	m.StorageClass = v.StorageClass
	m.StorageRegion = v.StorageRegion
	m.Size = v.Size
	m.Tags = v.Tags
	m.CreateTime = v.CreateTime
	m.UpdateTime = v.UpdateTime
	m.ExpireTime = v.ExpireTime
	m.mediaOutputsModel = v.Outputs
	return diags
}

// setUnreadResults replaces unknown results with nulls when the media could not be read after a
// change: Terraform refuses unknown values in state, and the next refresh fills them in.
func (m *mediaResourceModel) setUnreadResults() {
	for _, s := range []*types.String{&m.MediaURL, &m.CoverURL, &m.Type, &m.Category, &m.StorageRegion, &m.MediaName, &m.Description, &m.MediaType, &m.CoverType, &m.ProcedureTaskID, &m.ProcedureStatus} {
		if s.IsUnknown() {
			*s = types.StringNull()
		}
	}
	for _, i := range []*types.Int64{&m.Size, &m.ClassID, &m.SubAppID} {
		if i.IsUnknown() {
			*i = types.Int64Null()
		}
	}
	if m.CreateTime.IsUnknown() {
		m.CreateTime = timetypes.NewRFC3339Null()
	}
	if m.Tags.IsUnknown() {
		m.Tags = types.SetNull(types.StringType)
	}
	m.setUnreadOutputs()
}

// modifyRequest builds the ModifyMediaInfo call that turns current into m, or returns nil when nothing
// differs. Unknown planned values (computed ones not set in the configuration) are left alone.
func (m *mediaResourceModel) modifyRequest(ctx context.Context, current *mediaResourceModel, sendCover bool) (*vod.ModifyMediaInfoRequest, diag.Diagnostics) {
	var diags diag.Diagnostics
	req := &vod.ModifyMediaInfoRequest{FileID: current.FileID.ValueString(), SubAppID: pinnedSubAppID(current.SubAppID)}
	changed := false
	if isKnown(m.MediaName) && !m.MediaName.Equal(current.MediaName) {
		req.Name, changed = m.MediaName.ValueStringPointer(), true
	}
	if isKnown(m.Description) && !m.Description.Equal(current.Description) {
		req.Description, changed = m.Description.ValueStringPointer(), true
	}
	if isKnown(m.ClassID) && !m.ClassID.Equal(current.ClassID) {
		req.ClassID, changed = m.ClassID.ValueInt64Pointer(), true
	}
	if expire, differs, d := expireTimeChange(m.ExpireTime, current.ExpireTime); differs {
		diags.Append(d...)
		req.ExpireTime, changed = &expire, true
	}
	if isKnown(m.Tags) {
		add, remove, d := tagChanges(ctx, m.Tags, current.Tags)
		diags.Append(d...)
		if len(add)+len(remove) > 0 {
			req.AddTags, req.DeleteTags, changed = add, remove, true
		}
	}
	if sendCover || coverChanges(m, current) {
		data, d := readInlineCover(m.CoverSource.ValueString())
		diags.Append(d...)
		req.CoverData, changed = &data, true
	}
	if !changed || diags.HasError() {
		return nil, diags
	}
	return req, diags
}

// expireTimeChange compares the planned expiry with the current one (null meaning never) and returns the
// API value to send when they differ.
func expireTimeChange(planned, current timetypes.RFC3339) (string, bool, diag.Diagnostics) {
	if planned.IsUnknown() {
		return "", false, nil
	}
	if planned.IsNull() {
		return vod.NeverExpires, !current.IsNull(), nil
	}
	if !current.IsNull() {
		if equal, d := planned.StringSemanticEquals(context.Background(), current); d.HasError() || equal {
			return "", false, d
		}
	}
	t, d := planned.ValueRFC3339Time()
	return t.UTC().Format(time.RFC3339), true, d
}

// tagChanges lists the tags to add and to delete to go from current to planned.
func tagChanges(ctx context.Context, planned, current types.Set) (add, remove []string, diags diag.Diagnostics) {
	var want, have []string
	diags.Append(planned.ElementsAs(ctx, &want, false)...)
	if isKnown(current) {
		diags.Append(current.ElementsAs(ctx, &have, false)...)
	}
	for _, tag := range want {
		if !slices.Contains(have, tag) {
			add = append(add, tag)
		}
	}
	for _, tag := range have {
		if !slices.Contains(want, tag) {
			remove = append(remove, tag)
		}
	}
	slices.Sort(add)
	slices.Sort(remove)
	return add, remove, diags
}

// tagSet converts VOD's tag list; no tags is an empty set, not null, so that `tags = []` matches it.
func tagSet(ctx context.Context, tags []string) (types.Set, diag.Diagnostics) {
	if tags == nil {
		tags = []string{}
	}
	return types.SetValueFrom(ctx, types.StringType, tags)
}

// isKnown tells whether v holds a value: neither null nor unknown.
func isKnown(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }

// knownInt64Pointer is an optional request field: nil unless the value is known. (The framework's
// ValueInt64Pointer would point at 0 for an unknown value.)
func knownInt64Pointer(v types.Int64) *int64 {
	if !isKnown(v) {
		return nil
	}
	return v.ValueInt64Pointer()
}

// utcTimePointer converts an optional RFC 3339 argument to the UTC time a request takes (nil when null).
func utcTimePointer(v timetypes.RFC3339) (*time.Time, diag.Diagnostics) {
	if !isKnown(v) {
		return nil, nil
	}
	t, diags := v.ValueRFC3339Time()
	t = t.UTC()
	return &t, diags
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// flattenMediaOutputs converts the processing sections and metadata of a DescribeMediaInfos answer.
func flattenMediaOutputs(ctx context.Context, info *vod.MediaInfo) (mediaOutputsModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	var m mediaOutputsModel
	var d diag.Diagnostics
	m.AdaptiveStreams, d = types.ListValueFrom(ctx, adaptiveStreamsList.objectType(), adaptiveStreams(info))
	diags.Append(d...)
	m.Transcodes, d = types.ListValueFrom(ctx, transcodesList.objectType(), transcodes(info))
	diags.Append(d...)
	m.Snapshots, d = types.ListValueFrom(ctx, snapshotsList.objectType(), snapshots(info))
	diags.Append(d...)
	m.ImageSprites, d = types.ListValueFrom(ctx, imageSpritesList.objectType(), imageSprites(info))
	diags.Append(d...)
	m.setMetadata(info.MetaData)
	return m, diags
}

func (m *mediaOutputsModel) setMetadata(meta *vod.MediaMetaData) {
	if meta == nil {
		m.Duration, m.Width, m.Height, m.Bitrate = types.Float64Null(), types.Int64Null(), types.Int64Null(), types.Int64Null()
		m.Container = types.StringNull()
		return
	}
	m.Duration = types.Float64Value(meta.Duration)
	m.Width = types.Int64Value(meta.Width)
	m.Height = types.Int64Value(meta.Height)
	m.Bitrate = types.Int64Value(meta.Bitrate)
	m.Container = types.StringValue(meta.Container)
}

// adaptiveStreams lists the streams by definition, then package (DASH before HLS), then by what tells
// apart the streams one template made (a stream per digital watermark), so that no two orders VOD
// might list them in look like a change.
func adaptiveStreams(info *vod.MediaInfo) []adaptiveStreamModel {
	var items []vod.AdaptiveDynamicStreamingInfoItem
	if info.AdaptiveDynamicStreamingInfo != nil {
		items = slices.Clone(info.AdaptiveDynamicStreamingInfo.AdaptiveDynamicStreamingSet)
	}
	slices.SortStableFunc(items, func(a, b vod.AdaptiveDynamicStreamingInfoItem) int {
		return cmp.Or(cmp.Compare(a.Definition, b.Definition), cmp.Compare(a.Package, b.Package),
			cmp.Compare(a.DigitalWatermarkType, b.DigitalWatermarkType), cmp.Compare(a.DrmType, b.DrmType),
			cmp.Compare(a.URL, b.URL))
	})
	streams := make([]adaptiveStreamModel, 0, len(items))
	for _, s := range items {
		streams = append(streams, adaptiveStreamModel{
			Definition: types.Int64Value(s.Definition),
			Package:    types.StringValue(s.Package),
			DrmType:    types.StringValue(s.DrmType),
			Watermark:  types.StringValue(s.DigitalWatermarkType),
			URL:        types.StringValue(s.URL),
			Size:       types.Int64Value(s.Size),
		})
	}
	return streams
}

// transcodes lists the files by definition, then digital watermark and URL (see adaptiveStreams).
func transcodes(info *vod.MediaInfo) []transcodeModel {
	var items []vod.MediaTranscodeItem
	if info.TranscodeInfo != nil {
		items = slices.Clone(info.TranscodeInfo.TranscodeSet)
	}
	slices.SortStableFunc(items, func(a, b vod.MediaTranscodeItem) int {
		return cmp.Or(cmp.Compare(a.Definition, b.Definition),
			cmp.Compare(a.DigitalWatermarkType, b.DigitalWatermarkType), cmp.Compare(a.URL, b.URL))
	})
	files := make([]transcodeModel, 0, len(items))
	for _, t := range items {
		files = append(files, transcodeModel{
			Definition: types.Int64Value(t.Definition),
			URL:        types.StringValue(t.URL),
			Container:  types.StringValue(t.Container),
			Watermark:  types.StringValue(t.DigitalWatermarkType),
			Bitrate:    types.Int64Value(t.Bitrate),
			Width:      types.Int64Value(t.Width),
			Height:     types.Int64Value(t.Height),
			Size:       types.Int64Value(t.Size),
			Duration:   types.Float64Value(t.Duration),
		})
	}
	return files
}

func snapshots(info *vod.MediaInfo) []snapshotModel {
	var items []vod.MediaSnapshotByTimeOffsetItem
	if info.SnapshotByTimeOffsetInfo != nil {
		items = slices.Clone(info.SnapshotByTimeOffsetInfo.SnapshotByTimeOffsetSet)
	}
	slices.SortStableFunc(items, func(a, b vod.MediaSnapshotByTimeOffsetItem) int {
		return cmp.Compare(a.Definition, b.Definition)
	})
	sets := make([]snapshotModel, 0, len(items))
	for _, s := range items {
		pictures := slices.Clone(s.PicInfoSet)
		slices.SortStableFunc(pictures, func(a, b vod.MediaSnapshotByTimePicInfoItem) int {
			return cmp.Compare(a.TimeOffset, b.TimeOffset)
		})
		urls := make([]string, 0, len(pictures))
		for _, p := range pictures {
			urls = append(urls, p.URL)
		}
		sets = append(sets, snapshotModel{Definition: types.Int64Value(s.Definition), URLs: stringList(urls)})
	}
	return sets
}

func imageSprites(info *vod.MediaInfo) []imageSpriteModel {
	var items []vod.MediaImageSpriteItem
	if info.ImageSpriteInfo != nil {
		items = slices.Clone(info.ImageSpriteInfo.ImageSpriteSet)
	}
	slices.SortStableFunc(items, func(a, b vod.MediaImageSpriteItem) int { return cmp.Compare(a.Definition, b.Definition) })
	sprites := make([]imageSpriteModel, 0, len(items))
	for _, s := range items {
		sprites = append(sprites, imageSpriteModel{
			Definition: types.Int64Value(s.Definition),
			URLs:       stringList(s.ImageURLSet),
			WebVTTURL:  types.StringValue(s.WebVttURL),
			Width:      types.Int64Value(s.Width),
			Height:     types.Int64Value(s.Height),
			TotalCount: types.Int64Value(s.TotalCount),
		})
	}
	return sprites
}

// stringList is a list of strings; none is an empty list, like the output lists themselves.
func stringList(values []string) types.List {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.ListValueMust(types.StringType, elems)
}
