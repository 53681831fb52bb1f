package provider

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// modifyRequest builds the ModifyMediaInfo call that turns current into m, or returns nil when nothing
// differs. Unknown planned values (computed ones not set in the configuration) are left alone.
func (m *mediaResourceModel) modifyRequest(ctx context.Context, current *mediaResourceModel, sendCover bool) (*vod.ModifyMediaInfoRequest, diag.Diagnostics) {
	var diags diag.Diagnostics
	req := &vod.ModifyMediaInfoRequest{FileID: current.FileID.ValueString(), SubAppID: subAppIDPointer(current.SubAppID)}
	changed := false
	if isKnown(m.MediaName) && !m.MediaName.Equal(current.MediaName) {
		req.Name, changed = m.MediaName.ValueStringPointer(), true
	}
	if isKnown(m.Description) && !m.Description.Equal(current.Description) {
		req.Description, changed = m.Description.ValueStringPointer(), true
	}
	if !m.ClassID.IsNull() && !m.ClassID.IsUnknown() && !m.ClassID.Equal(current.ClassID) {
		req.ClassID, changed = m.ClassID.ValueInt64Pointer(), true
	}
	if expire, differs, d := expireTimeChange(m.ExpireTime, current.ExpireTime); differs {
		diags.Append(d...)
		req.ExpireTime, changed = &expire, true
	}
	if !m.Tags.IsNull() && !m.Tags.IsUnknown() {
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

func isKnown(v types.String) bool { return !v.IsNull() && !v.IsUnknown() }

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
	if !current.IsNull() && !current.IsUnknown() {
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

// readInlineCover reads a cover for ModifyMediaInfo's CoverData (base64).
func readInlineCover(file string) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	diags.Append(checkInlineCover(file)...)
	if diags.HasError() {
		return "", diags
	}
	info, err := os.Stat(file)
	if err == nil && info.Size() > maxInlineCoverBytes {
		diags.AddAttributeError(path.Root("cover_source"), "Cover Image Too Large",
			fmt.Sprintf("cover_source %q is %d bytes. A cover sent with ModifyMediaInfo must be at most %d MiB.",
				file, info.Size(), maxInlineCoverBytes>>20))
		return "", diags
	}
	data, err := os.ReadFile(file)
	if err != nil {
		diags.AddAttributeError(path.Root("cover_source"), "Unable to Read cover_source",
			fmt.Sprintf("cover_source %q cannot be read: %s.", file, pathErrorReason(err)))
		return "", diags
	}
	return base64.StdEncoding.EncodeToString(data), diags
}

// checkReadableFile fails early, before any API call, for a file that cannot be uploaded.
func checkReadableFile(attribute path.Path, file string) diag.Diagnostics {
	var diags diag.Diagnostics
	f, err := os.Open(file)
	if err != nil {
		diags.AddAttributeError(attribute, "Unable to Read "+attribute.String(),
			fmt.Sprintf("%s %q cannot be read: %s. Nothing was uploaded.", attribute, file, pathErrorReason(err)))
		return diags
	}
	defer f.Close()
	info, err := f.Stat()
	switch {
	case err != nil:
		diags.AddAttributeError(attribute, "Unable to Read "+attribute.String(),
			fmt.Sprintf("%s %q cannot be read: %s. Nothing was uploaded.", attribute, file, err))
	case !info.Mode().IsRegular():
		diags.AddAttributeError(attribute, "Unable to Read "+attribute.String(),
			fmt.Sprintf("%s %q is not a regular file. Nothing was uploaded.", attribute, file))
	case info.Size() == 0:
		diags.AddAttributeError(attribute, "Empty "+attribute.String(),
			fmt.Sprintf("%s %q is empty; VOD cannot store an empty media file. Nothing was uploaded.", attribute, file))
	}
	return diags
}

// applyUploadRequest maps the planned arguments to ApplyUpload.
func (m *mediaResourceModel) applyUploadRequest() (*vod.ApplyUploadRequest, diag.Diagnostics) {
	var diags diag.Diagnostics
	req := &vod.ApplyUploadRequest{
		MediaType:      vod.NormalizeFileType(m.MediaType.ValueString()),
		MediaName:      m.MediaName.ValueString(),
		Procedure:      m.Procedure.ValueString(),
		StorageRegion:  m.StorageRegion.ValueString(),
		SourceContext:  m.SourceContext.ValueString(),
		SessionContext: m.SessionContext.ValueString(),
		SubAppID:       subAppIDPointer(m.SubAppID),
	}
	if !m.CoverSource.IsNull() {
		req.CoverType = vod.NormalizeFileType(m.CoverType.ValueString())
	}
	req.ClassID = knownInt64Pointer(m.ClassID) // unset: the API's default category
	req.ExpireTime, diags = utcTimePointer(m.ExpireTime)
	return req, diags
}

// flattenMediaInfo fills the model from DescribeMediaInfos. Arguments keep their configured spelling
// when VOD reports the same value (an expiry in another zone, a media type in capitals).
func (m *mediaResourceModel) flattenMediaInfo(ctx context.Context, info *vod.MediaInfo) diag.Diagnostics {
	var diags diag.Diagnostics
	basic := info.BasicInfo
	if basic == nil {
		basic = &vod.MediaBasicInfo{}
	}
	m.FileID = types.StringValue(info.FileID)
	m.ID = m.FileID
	m.MediaName = types.StringValue(basic.Name)
	m.Description = types.StringValue(basic.Description)
	m.ClassID = types.Int64Value(basic.ClassID)
	m.MediaURL = types.StringValue(basic.MediaURL)
	m.CoverURL = stringOrNull(basic.CoverURL)
	m.Type = types.StringValue(basic.Type)
	m.Category = types.StringValue(basic.Category)
	m.StorageRegion = types.StringValue(basic.StorageRegion)
	if m.MediaType.IsNull() || m.MediaType.IsUnknown() {
		m.MediaType = types.StringValue(basic.Type)
	}
	if m.CoverType.IsUnknown() {
		m.CoverType = types.StringNull()
	}
	if m.SubAppID.IsUnknown() {
		m.SubAppID = types.Int64Null()
	}
	var size int64
	if info.MetaData != nil {
		size = info.MetaData.Size
	}
	m.Size = types.Int64Value(size)
	diags.Append(m.flattenTimes(basic)...)
	var d diag.Diagnostics
	m.Tags, d = tagSet(ctx, basic.TagSet)
	diags.Append(d...)
	return diags
}

// tagSet converts VOD's tag list; no tags is an empty set, not null, so that `tags = []` matches it.
func tagSet(ctx context.Context, tags []string) (types.Set, diag.Diagnostics) {
	if tags == nil {
		tags = []string{}
	}
	return types.SetValueFrom(ctx, types.StringType, tags)
}

func (m *mediaResourceModel) flattenTimes(basic *vod.MediaBasicInfo) diag.Diagnostics {
	var diags diag.Diagnostics
	m.CreateTime = rfc3339OrNull(basic.CreateTime)
	if basic.ExpireTime == "" || basic.ExpireTime == vod.NeverExpires {
		m.ExpireTime = timetypes.NewRFC3339Null()
		return diags
	}
	expires, err := time.Parse(time.RFC3339, basic.ExpireTime)
	if err != nil {
		diags.AddWarning("Unexpected VOD Response", fmt.Sprintf("ExpireTime %q is not an RFC 3339 time.", basic.ExpireTime))
		return diags
	}
	if !m.ExpireTime.IsNull() && !m.ExpireTime.IsUnknown() {
		if current, d := m.ExpireTime.ValueRFC3339Time(); !d.HasError() && current.Equal(expires) {
			return diags // same instant: keep the configured spelling
		}
	}
	m.ExpireTime = timetypes.NewRFC3339TimeValue(expires)
	return diags
}

// setUnreadResults replaces unknown results with nulls when the media could not be read after a
// change: Terraform refuses unknown values in state, and the next refresh fills them in.
func (m *mediaResourceModel) setUnreadResults() {
	for _, s := range []*types.String{&m.MediaURL, &m.CoverURL, &m.Type, &m.Category, &m.StorageRegion, &m.MediaName, &m.Description, &m.MediaType, &m.CoverType} {
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
}

// isMediaNotFound reports whether err says the media does not exist.
func isMediaNotFound(err error) bool {
	return errors.Is(err, vod.ErrMediaNotFound)
}
