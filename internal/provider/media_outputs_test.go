package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

// processedMedia has one output of each kind, every field set to a value of its own, so that a field
// mapped to the wrong attribute, or not at all, shows.
func processedMedia() *vod.MediaInfo {
	return &vod.MediaInfo{
		FileID:    "111",
		BasicInfo: &vod.MediaBasicInfo{Name: "clip", ClassPath: "Films-Shorts"},
		MetaData:  &vod.MediaMetaData{Size: 1000, Container: "mov,mp4", Bitrate: 2000, Height: 720, Width: 1280, Duration: 12.5},
		AdaptiveDynamicStreamingInfo: &vod.MediaAdaptiveDynamicStreamingInfo{AdaptiveDynamicStreamingSet: []vod.AdaptiveDynamicStreamingInfoItem{
			{Definition: 10, Package: "HLS", DrmType: "SimpleAES", URL: "http://v/master.m3u8", Size: 3000, DigitalWatermarkType: "Trace"},
		}},
		TranscodeInfo: &vod.MediaTranscodeInfo{TranscodeSet: []vod.MediaTranscodeItem{
			{Definition: 100030, URL: "http://v/720.mp4", Container: "mp4", Bitrate: 4000, Width: 1281, Height: 721, Size: 5000, Duration: 12.25, Md5: "x", DigitalWatermarkType: "CopyRight"},
		}},
		SnapshotByTimeOffsetInfo: &vod.MediaSnapshotByTimeOffsetInfo{SnapshotByTimeOffsetSet: []vod.MediaSnapshotByTimeOffsetItem{
			{Definition: 11, PicInfoSet: []vod.MediaSnapshotByTimePicInfoItem{{TimeOffset: 1000, URL: "http://v/s1.jpg"}}},
		}},
		ImageSpriteInfo: &vod.MediaImageSpriteInfo{ImageSpriteSet: []vod.MediaImageSpriteItem{
			{Definition: 12, Height: 80, Width: 142, TotalCount: 7, ImageURLSet: []string{"http://v/sheet1.jpg"}, WebVttURL: "http://v/s.vtt"},
		}},
	}
}

func stringValues(values ...string) types.List {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.ListValueMust(types.StringType, elems)
}

// object builds an expected output object from its attributes, independently of the models.
func object(l outputList, values map[string]attr.Value) attr.Value {
	return types.ObjectValueMust(l.objectType().AttrTypes, values)
}

func list(l outputList, objects ...attr.Value) types.List {
	return types.ListValueMust(l.objectType(), objects)
}

// Every field VOD reports lands in its attribute.
func TestFlattenMediaOutputs_everyField(t *testing.T) {
	t.Parallel()
	got, diags := flattenMediaOutputs(t.Context(), processedMedia())
	if diags.HasError() {
		t.Fatal(diags)
	}
	want := mediaOutputsModel{
		AdaptiveStreams: list(adaptiveStreamsList, object(adaptiveStreamsList, map[string]attr.Value{
			"definition": types.Int64Value(10), "package": types.StringValue("HLS"), "drm_type": types.StringValue("SimpleAES"),
			"url": types.StringValue("http://v/master.m3u8"), "size": types.Int64Value(3000),
			"digital_watermark_type": types.StringValue("Trace"),
		})),
		Transcodes: list(transcodesList, object(transcodesList, map[string]attr.Value{
			"definition": types.Int64Value(100030), "url": types.StringValue("http://v/720.mp4"),
			"container": types.StringValue("mp4"), "bitrate": types.Int64Value(4000), "width": types.Int64Value(1281),
			"height": types.Int64Value(721), "size": types.Int64Value(5000), "duration": types.Float64Value(12.25),
			"digital_watermark_type": types.StringValue("CopyRight"),
		})),
		Snapshots: list(snapshotsList, object(snapshotsList, map[string]attr.Value{
			"definition": types.Int64Value(11), "urls": stringValues("http://v/s1.jpg"),
		})),
		ImageSprites: list(imageSpritesList, object(imageSpritesList, map[string]attr.Value{
			"definition": types.Int64Value(12), "urls": stringValues("http://v/sheet1.jpg"),
			"webvtt_url": types.StringValue("http://v/s.vtt"), "width": types.Int64Value(142),
			"height": types.Int64Value(80), "total_count": types.Int64Value(7),
		})),
		Duration:  types.Float64Value(12.5),
		Width:     types.Int64Value(1280),
		Height:    types.Int64Value(720),
		Bitrate:   types.Int64Value(2000),
		Container: types.StringValue("mov,mp4"),
	}
	expectOutputs(t, got, want)
}

func expectOutputs(t *testing.T, got, want mediaOutputsModel) {
	t.Helper()
	for _, l := range got.lists() {
		var wanted types.List
		for _, w := range want.lists() {
			if w.desc.name == l.desc.name {
				wanted = *w.value
			}
		}
		if !l.value.Equal(wanted) {
			t.Errorf("%s:\n got %v\nwant %v", l.desc.name, *l.value, wanted)
		}
	}
	for name, pair := range map[string][2]attr.Value{
		"duration":  {got.Duration, want.Duration},
		"width":     {got.Width, want.Width},
		"height":    {got.Height, want.Height},
		"bitrate":   {got.Bitrate, want.Bitrate},
		"container": {got.Container, want.Container},
	} {
		if !pair[0].Equal(pair[1]) {
			t.Errorf("%s: got %v, want %v", name, pair[0], pair[1])
		}
	}
}

// Lists come sorted whatever order VOD lists them in, so that a refresh shows no change; the original
// file (definition 0) comes first among the transcodes.
func TestFlattenMediaOutputs_order(t *testing.T) {
	t.Parallel()
	info := &vod.MediaInfo{
		FileID: "111",
		AdaptiveDynamicStreamingInfo: &vod.MediaAdaptiveDynamicStreamingInfo{AdaptiveDynamicStreamingSet: []vod.AdaptiveDynamicStreamingInfoItem{
			{Definition: 20, Package: "HLS", URL: "20-hls", DigitalWatermarkType: "None"},
			{Definition: 20, Package: "HLS", URL: "20-hls-trace", DigitalWatermarkType: "Trace"},
			{Definition: 10, Package: "HLS", URL: "10-hls-b", DigitalWatermarkType: "None"},
			{Definition: 10, Package: "HLS", URL: "10-hls-a", DigitalWatermarkType: "None"},
			{Definition: 20, Package: "HLS", URL: "20-hls-copyright", DigitalWatermarkType: "CopyRight"},
			{Definition: 20, Package: "DASH", URL: "20-dash"},
		}},
		TranscodeInfo: &vod.MediaTranscodeInfo{TranscodeSet: []vod.MediaTranscodeItem{
			{Definition: 100030, URL: "720-trace", DigitalWatermarkType: "Trace"}, {Definition: 100030, URL: "720", DigitalWatermarkType: "None"},
			{Definition: 0, URL: "original"}, {Definition: 100010, URL: "360"},
		}},
		SnapshotByTimeOffsetInfo: &vod.MediaSnapshotByTimeOffsetInfo{SnapshotByTimeOffsetSet: []vod.MediaSnapshotByTimeOffsetItem{
			{Definition: 20, PicInfoSet: []vod.MediaSnapshotByTimePicInfoItem{{TimeOffset: 3000, URL: "c"}, {TimeOffset: 1000, URL: "a"}, {TimeOffset: 2000, URL: "b"}}},
			{Definition: 10},
		}},
		ImageSpriteInfo: &vod.MediaImageSpriteInfo{ImageSpriteSet: []vod.MediaImageSpriteItem{
			{Definition: 30, ImageURLSet: []string{"sheet-2", "sheet-1"}}, {Definition: 10},
		}},
	}
	got, diags := flattenMediaOutputs(t.Context(), info)
	if diags.HasError() {
		t.Fatal(diags)
	}
	var streams []adaptiveStreamModel
	var files []transcodeModel
	var snaps []snapshotModel
	var sprites []imageSpriteModel
	ctx := t.Context()
	diags.Append(got.AdaptiveStreams.ElementsAs(ctx, &streams, false)...)
	diags.Append(got.Transcodes.ElementsAs(ctx, &files, false)...)
	diags.Append(got.Snapshots.ElementsAs(ctx, &snaps, false)...)
	diags.Append(got.ImageSprites.ElementsAs(ctx, &sprites, false)...)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if got, want := urlsOf(streams, func(s adaptiveStreamModel) types.String { return s.URL }), "10-hls-a 10-hls-b 20-dash 20-hls-copyright 20-hls 20-hls-trace"; got != want {
		t.Errorf("adaptive streams %q, want %q (by definition, then package, watermark and url)", got, want)
	}
	if got, want := urlsOf(files, func(f transcodeModel) types.String { return f.URL }), "original 360 720 720-trace"; got != want {
		t.Errorf("transcodes %q, want %q (the original first, then by definition, watermark and url)", got, want)
	}
	if len(snaps) != 2 || snaps[0].Definition.ValueInt64() != 10 || !snaps[1].URLs.Equal(stringValues("a", "b", "c")) {
		t.Errorf("snapshots %v, want definition 10 first and pictures by time", snaps)
	}
	if len(snaps) == 2 && (snaps[0].URLs.IsNull() || len(snaps[0].URLs.Elements()) != 0) {
		t.Errorf("a snapshot set without pictures has urls %v, want []", snaps[0].URLs)
	}
	if len(sprites) != 2 || sprites[0].Definition.ValueInt64() != 10 || !sprites[1].URLs.Equal(stringValues("sheet-2", "sheet-1")) {
		t.Errorf("image sprites %v, want definition 10 first and the sheets in VOD's order", sprites)
	}
}

func urlsOf[T any](items []T, url func(T) types.String) string {
	s := ""
	for i, item := range items {
		if i > 0 {
			s += " "
		}
		s += url(item).ValueString()
	}
	return s
}

// A media VOD has not processed (or a section VOD left out) has empty lists, not nulls; without
// metadata, the metadata attributes are null, not zeros that would read as measurements.
func TestFlattenMediaOutputs_emptyNotNull(t *testing.T) {
	t.Parallel()
	for name, info := range map[string]*vod.MediaInfo{
		"sections absent": {FileID: "111"},
		"sections empty": {
			FileID:                       "111",
			TranscodeInfo:                &vod.MediaTranscodeInfo{},
			AdaptiveDynamicStreamingInfo: &vod.MediaAdaptiveDynamicStreamingInfo{AdaptiveDynamicStreamingSet: []vod.AdaptiveDynamicStreamingInfoItem{}},
			SnapshotByTimeOffsetInfo:     &vod.MediaSnapshotByTimeOffsetInfo{},
			ImageSpriteInfo:              &vod.MediaImageSpriteInfo{},
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, diags := flattenMediaOutputs(t.Context(), info)
			if diags.HasError() {
				t.Fatal(diags)
			}
			want := mediaOutputsModel{
				AdaptiveStreams: list(adaptiveStreamsList), Transcodes: list(transcodesList),
				Snapshots: list(snapshotsList), ImageSprites: list(imageSpritesList),
				Duration: types.Float64Null(), Width: types.Int64Null(), Height: types.Int64Null(),
				Bitrate: types.Int64Null(), Container: types.StringNull(),
			}
			expectOutputs(t, got, want)
		})
	}
}

// The resource and the data source get the same outputs from the same answer, and the data source the
// class path.
func TestMediaOutputsFlattenedAlike(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	info := processedMedia()
	want, _ := flattenMediaOutputs(ctx, info)

	media := mediaResourceModel{MediaType: types.StringNull(), CoverType: types.StringNull()}
	if diags := media.flattenMediaInfo(ctx, info); diags.HasError() {
		t.Fatal(diags)
	}
	var data mediaDataSourceModel
	if diags := data.flatten(ctx, info); diags.HasError() {
		t.Fatal(diags)
	}
	t.Run("resource", func(t *testing.T) { expectOutputs(t, media.mediaOutputsModel, want) })
	t.Run("data source", func(t *testing.T) { expectOutputs(t, data.mediaOutputsModel, want) })
	if data.ClassPath.ValueString() != "Films-Shorts" {
		t.Errorf("class_path %v", data.ClassPath)
	}
}

// An update plans the outputs it does not change as they are in state, and Terraform refuses a result
// that differs from a known planned value: outputs that appeared while the update ran wait for the next
// refresh. Outputs planned unknown (processing runs in this update) take what VOD reports.
func TestKeepPlannedOutputs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	planned, _ := flattenMediaOutputs(ctx, &vod.MediaInfo{FileID: "111"})
	read, _ := flattenMediaOutputs(ctx, processedMedia())

	kept := read
	kept.keepPlanned(planned)
	expectOutputs(t, kept, planned)

	planned.setOutputsUnknown()
	filled := read
	filled.keepPlanned(planned)
	want := read
	want.Duration, want.Width, want.Height, want.Bitrate, want.Container = planned.Duration, planned.Width, planned.Height, planned.Bitrate, planned.Container
	expectOutputs(t, filled, want)
}

func TestSetOutputsUnknown(t *testing.T) {
	t.Parallel()
	m, _ := flattenMediaOutputs(t.Context(), processedMedia())
	m.setOutputsUnknown()
	for _, l := range m.lists() {
		if !l.value.IsUnknown() || !l.value.ElementType(t.Context()).Equal(l.desc.objectType()) {
			t.Errorf("%s is %v, want an unknown list of its objects", l.desc.name, *l.value)
		}
	}
	if m.Duration.IsUnknown() || m.Width.IsUnknown() || m.Container.IsUnknown() {
		t.Error("processing does not change what VOD measured of the uploaded file: metadata stays known")
	}
}

// A media tracked before it could be read holds typed nulls, which state accepts, in place of
// unknown outputs.
func TestSetUnreadOutputs(t *testing.T) {
	t.Parallel()
	var m mediaOutputsModel
	m.setOutputsUnknown()
	m.Duration, m.Width, m.Height, m.Bitrate, m.Container = types.Float64Unknown(), types.Int64Unknown(), types.Int64Unknown(), types.Int64Unknown(), types.StringUnknown()
	m.setUnreadOutputs()
	for _, v := range []attr.Value{m.AdaptiveStreams, m.Transcodes, m.Snapshots, m.ImageSprites, m.Duration, m.Width, m.Height, m.Bitrate, m.Container} {
		if !v.IsNull() {
			t.Errorf("%v, want null", v)
		}
	}
	if !m.Transcodes.ElementType(t.Context()).Equal(transcodesList.objectType()) {
		t.Errorf("transcodes null of %v", m.Transcodes.ElementType(t.Context()))
	}
}

// Both schemas have every output attribute, of the type the flatten produces, computed; on the
// resource, an update plans them as they are in state.
func TestMediaOutputAttributesInSchemas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var rs resource.SchemaResponse
	NewMediaResource().Schema(ctx, resource.SchemaRequest{}, &rs)
	var ds datasource.SchemaResponse
	NewMediaDataSource().Schema(ctx, datasource.SchemaRequest{}, &ds)
	if rs.Diagnostics.HasError() || ds.Diagnostics.HasError() {
		t.Fatal(rs.Diagnostics, ds.Diagnostics)
	}
	for _, l := range outputLists {
		r, d := rs.Schema.Attributes[l.name], ds.Schema.Attributes[l.name]
		if r == nil || d == nil {
			t.Fatalf("%s missing: resource %v, data source %v", l.name, r, d)
		}
		wantType := types.ListType{ElemType: l.objectType()}
		if !r.GetType().Equal(wantType) || !d.GetType().Equal(wantType) || !r.IsComputed() || !d.IsComputed() || r.IsOptional() {
			t.Errorf("%s: resource %v, data source %v, want computed %v", l.name, r.GetType(), d.GetType(), wantType)
		}
	}
	for _, f := range metadataFields {
		r, d := rs.Schema.Attributes[f.name], ds.Schema.Attributes[f.name]
		if r == nil || d == nil || !r.GetType().Equal(f.kind.attrType()) || !d.GetType().Equal(f.kind.attrType()) || !r.IsComputed() {
			t.Errorf("%s: resource %v, data source %v", f.name, r, d)
		}
	}
	if ds.Schema.Attributes["class_path"] == nil {
		t.Error("data source has no class_path")
	}
}

// The output attributes are added to each type's own: a name used twice would silently replace one.
func TestMediaOutputAttributesDoNotCollide(t *testing.T) {
	t.Parallel()
	resourceOwn := mediaResourceAttributes()
	for name := range mediaOutputResourceAttributes() {
		if _, taken := resourceOwn[name]; taken {
			t.Errorf("tencentvod_media already has %s", name)
		}
	}
	dataSourceOwn := mediaDataSourceAttributes()
	for name := range mediaOutputDataSourceAttributes() {
		if _, taken := dataSourceOwn[name]; taken {
			t.Errorf("data.tencentvod_media already has %s", name)
		}
	}
}
