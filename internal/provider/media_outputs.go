package provider

import (
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The playback outputs that processing (a task flow) made of a media file, and what VOD measured of the
// file, as computed attributes of both tencentvod_media and data.tencentvod_media. Each attribute is
// described once below, and both schemas are built from that description.
//
// Lists are sorted by definition, then by whatever else tells two outputs apart (package, digital
// watermark, URL), so that VOD listing the same outputs in another order shows no change. They are
// empty, not null, when VOD has none: `length(...)` and `for` expressions work without a null check
// (only a media that could not be read back after a change holds nulls, until the next refresh).
// Metadata attributes are null when VOD reports no metadata.

// mediaOutputsModel holds the outputs and metadata; both models embed it, so one flatten fills both.
type mediaOutputsModel struct {
	AdaptiveStreams types.List    `tfsdk:"adaptive_streams"`
	Transcodes      types.List    `tfsdk:"transcodes"`
	Snapshots       types.List    `tfsdk:"snapshots"`
	ImageSprites    types.List    `tfsdk:"image_sprites"`
	Duration        types.Float64 `tfsdk:"duration"`
	Width           types.Int64   `tfsdk:"width"`
	Height          types.Int64   `tfsdk:"height"`
	Bitrate         types.Int64   `tfsdk:"bitrate"`
	Container       types.String  `tfsdk:"container"`
}

// The objects in the lists.
type (
	adaptiveStreamModel struct {
		Definition types.Int64  `tfsdk:"definition"`
		Package    types.String `tfsdk:"package"`
		DrmType    types.String `tfsdk:"drm_type"`
		Watermark  types.String `tfsdk:"digital_watermark_type"`
		URL        types.String `tfsdk:"url"`
		Size       types.Int64  `tfsdk:"size"`
	}
	transcodeModel struct {
		Definition types.Int64   `tfsdk:"definition"`
		URL        types.String  `tfsdk:"url"`
		Container  types.String  `tfsdk:"container"`
		Watermark  types.String  `tfsdk:"digital_watermark_type"`
		Bitrate    types.Int64   `tfsdk:"bitrate"`
		Width      types.Int64   `tfsdk:"width"`
		Height     types.Int64   `tfsdk:"height"`
		Size       types.Int64   `tfsdk:"size"`
		Duration   types.Float64 `tfsdk:"duration"`
	}
	snapshotModel struct {
		Definition types.Int64 `tfsdk:"definition"`
		URLs       types.List  `tfsdk:"urls"`
	}
	imageSpriteModel struct {
		Definition types.Int64  `tfsdk:"definition"`
		URLs       types.List   `tfsdk:"urls"`
		WebVTTURL  types.String `tfsdk:"webvtt_url"`
		Width      types.Int64  `tfsdk:"width"`
		Height     types.Int64  `tfsdk:"height"`
		TotalCount types.Int64  `tfsdk:"total_count"`
	}
)

// valueKind is the Terraform type of one described attribute.
type valueKind int

const (
	kindString valueKind = iota
	kindInt64
	kindFloat64
	kindStringList
)

func (k valueKind) attrType() attr.Type {
	switch k {
	case kindInt64:
		return types.Int64Type
	case kindFloat64:
		return types.Float64Type
	case kindStringList:
		return types.ListType{ElemType: types.StringType}
	}
	return types.StringType
}

// outputField describes one attribute: of an output object, or a metadata attribute.
type outputField struct {
	name        string
	kind        valueKind
	description string
}

// outputList describes one list of output objects.
type outputList struct {
	name        string
	description string
	fields      []outputField
}

const (
	definitionDescription = "ID of the template that made this output."
	watermarkDescription  = "Digital watermark VOD put in: `None`, `Trace` (a watermark that traces the viewer) or " +
		"`CopyRight`. A template run with a watermark can leave one output per watermark type under the same " +
		"`definition`: filter on `None` for the plain one."
)

var (
	adaptiveStreamsList = outputList{
		name: "adaptive_streams",
		description: "Adaptive bitrate streams made by processing, sorted by `definition`, then `package`, " +
			"`digital_watermark_type`, `drm_type` and `url`; empty until processing made one. **This is the output " +
			"to give a player**: the `url` of the `HLS` package to HLS players (Safari and iOS/tvOS, hls.js, " +
			"Video.js, ExoPlayer), the `url` of the `DASH` package to dash.js, Shaka Player or ExoPlayer's DASH " +
			"support. A stream with a `drm_type` plays only in a player set up for that DRM, and one with a " +
			"`digital_watermark_type` other than `None` is meant for a player set up for that watermark. Removing a stream in VOD (`DeleteMedia` with `DeleteParts`) shows on the next " +
			"refresh; nothing re-creates it.",
		fields: []outputField{
			{"definition", kindInt64, definitionDescription},
			{"package", kindString, "`HLS` (the `url` is an `.m3u8` master playlist) or `DASH` (an `.mpd` manifest)."},
			{"drm_type", kindString, "Encryption of the stream, such as `SimpleAES` or `Widevine`; empty when not encrypted."},
			{"digital_watermark_type", kindString, watermarkDescription},
			{"url", kindString, "URL of the master playlist or manifest, the URL a player opens."},
			{"size", kindInt64, "Total size of the stream's files (playlist or manifest and segments) in bytes; VOD " +
				"reports `0` for streams made before 2022-01-10."},
		},
	}
	transcodesList = outputList{
		name: "transcodes",
		description: "Files of the media, sorted by `definition`, then `digital_watermark_type` and `url`; empty " +
			"when VOD lists none. **Definition `0` is " +
			"the original file** as uploaded (VOD lists it among the transcodes; its `url` is the one in " +
			"`media_url`): use it to download the source, not for playback. The others are transcodes made by " +
			"processing: single files for progressive download or players without adaptive streaming; for " +
			"streaming, use `adaptive_streams`. Removing a transcode in VOD (`DeleteMedia` with `DeleteParts`) " +
			"shows on the next refresh; nothing re-creates it.",
		fields: []outputField{
			{"definition", kindInt64, "ID of the transcoding template that made this file; `0` for the original file."},
			{"url", kindString, "URL of the file."},
			{"container", kindString, "Container format of the file, as VOD reports it."},
			{"digital_watermark_type", kindString, watermarkDescription},
			{"bitrate", kindInt64, "Bitrate in bits per second."},
			{"width", kindInt64, "Picture width in pixels; `0` for audio."},
			{"height", kindInt64, "Picture height in pixels; `0` for audio."},
			{"size", kindInt64, "Size of the file in bytes."},
			{"duration", kindFloat64, "Duration in seconds."},
		},
	}
	snapshotsList = outputList{
		name: "snapshots",
		description: "Pictures taken at set times of the media (time-offset snapshot templates), one entry per " +
			"template, sorted by `definition`; empty until processing took some.",
		fields: []outputField{
			{"definition", kindInt64, definitionDescription},
			{"urls", kindStringList, "URLs of the pictures, in the order of the times they were taken at."},
		},
	}
	imageSpritesList = outputList{
		name: "image_sprites",
		description: "Image sprites: sheets of small pictures taken at regular times, one entry per template, " +
			"sorted by `definition`; empty until processing made some. Players show them as previews over the " +
			"seek bar, using the WebVTT file that maps playback times to places on the sheets.",
		fields: []outputField{
			{"definition", kindInt64, definitionDescription},
			{"urls", kindStringList, "URLs of the sheets, in VOD's order."},
			{"webvtt_url", kindString, "URL of the WebVTT file that maps playback times to places on the sheets."},
			{"width", kindInt64, "Width of one small picture in pixels."},
			{"height", kindInt64, "Height of one small picture in pixels."},
			{"total_count", kindInt64, "Number of small pictures."},
		},
	}

	outputLists = []outputList{adaptiveStreamsList, transcodesList, snapshotsList, imageSpritesList}

	metadataFields = []outputField{
		{"duration", kindFloat64, "Duration of the media in seconds, as VOD measured it; null when VOD reports no metadata."},
		{"width", kindInt64, "Picture width of the media in pixels (`0` for audio); null when VOD reports no metadata."},
		{"height", kindInt64, "Picture height of the media in pixels (`0` for audio); null when VOD reports no metadata."},
		{"bitrate", kindInt64, "Bitrate of the media in bits per second; null when VOD reports no metadata."},
		{"container", kindString, "Container format of the media as VOD detected it, such as `mp4` (`hls,applehttp` " +
			"for HLS); null when VOD reports no metadata."},
	}
)

func (l outputList) objectType() types.ObjectType {
	attrTypes := make(map[string]attr.Type, len(l.fields))
	for _, f := range l.fields {
		attrTypes[f.name] = f.kind.attrType()
	}
	return types.ObjectType{AttrTypes: attrTypes}
}

// mediaOutputResourceAttributes are the attributes of tencentvod_media. An update keeps their state
// in the plan, because changing an argument in place does not change the outputs; where an update
// runs processing, setOutputsUnknown says so.
func mediaOutputResourceAttributes() map[string]rschema.Attribute {
	attrs := map[string]rschema.Attribute{}
	for _, l := range outputLists {
		nested := map[string]rschema.Attribute{}
		for _, f := range l.fields {
			nested[f.name] = f.resourceAttribute()
		}
		attrs[l.name] = rschema.ListNestedAttribute{
			Computed:            true,
			MarkdownDescription: l.description,
			NestedObject:        rschema.NestedAttributeObject{Attributes: nested},
			PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
		}
	}
	for _, f := range metadataFields {
		attrs[f.name] = f.stateKeepingResourceAttribute()
	}
	return attrs
}

// withAttributes adds more to attrs (a type's own attributes) and returns attrs. The names never
// collide (TestMediaOutputAttributesDoNotCollide).
func withAttributes[A any](attrs, more map[string]A) map[string]A {
	maps.Copy(attrs, more)
	return attrs
}

// resourceAttribute is the computed attribute, as an output object holds it.
func (f outputField) resourceAttribute() rschema.Attribute {
	switch f.kind {
	case kindInt64:
		return rschema.Int64Attribute{Computed: true, MarkdownDescription: f.description}
	case kindFloat64:
		return rschema.Float64Attribute{Computed: true, MarkdownDescription: f.description}
	case kindStringList:
		return rschema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: f.description}
	}
	return rschema.StringAttribute{Computed: true, MarkdownDescription: f.description}
}

// stateKeepingResourceAttribute is a top-level computed attribute that update plans keep as it is in
// state.
func (f outputField) stateKeepingResourceAttribute() rschema.Attribute {
	switch a := f.resourceAttribute().(type) {
	case rschema.Int64Attribute:
		a.PlanModifiers = []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}
		return a
	case rschema.Float64Attribute:
		a.PlanModifiers = []planmodifier.Float64{float64planmodifier.UseStateForUnknown()}
		return a
	case rschema.StringAttribute:
		a.PlanModifiers = []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
		return a
	case rschema.ListAttribute:
		a.PlanModifiers = []planmodifier.List{listplanmodifier.UseStateForUnknown()}
		return a
	default:
		return a
	}
}

// mediaOutputDataSourceAttributes are the same attributes for data.tencentvod_media.
func mediaOutputDataSourceAttributes() map[string]dschema.Attribute {
	attrs := map[string]dschema.Attribute{}
	for _, l := range outputLists {
		nested := map[string]dschema.Attribute{}
		for _, f := range l.fields {
			nested[f.name] = f.dataSourceAttribute()
		}
		attrs[l.name] = dschema.ListNestedAttribute{
			Computed:            true,
			MarkdownDescription: l.description,
			NestedObject:        dschema.NestedAttributeObject{Attributes: nested},
		}
	}
	for _, f := range metadataFields {
		attrs[f.name] = f.dataSourceAttribute()
	}
	return attrs
}

func (f outputField) dataSourceAttribute() dschema.Attribute {
	switch f.kind {
	case kindInt64:
		return dschema.Int64Attribute{Computed: true, MarkdownDescription: f.description}
	case kindFloat64:
		return dschema.Float64Attribute{Computed: true, MarkdownDescription: f.description}
	case kindStringList:
		return dschema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: f.description}
	}
	return dschema.StringAttribute{Computed: true, MarkdownDescription: f.description}
}

// outputListField is one output list of a model, with its description.
type outputListField struct {
	value *types.List
	desc  outputList
}

func (m *mediaOutputsModel) lists() []outputListField {
	return []outputListField{
		{&m.AdaptiveStreams, adaptiveStreamsList},
		{&m.Transcodes, transcodesList},
		{&m.Snapshots, snapshotsList},
		{&m.ImageSprites, imageSpritesList},
	}
}

// setOutputsUnknown marks the output lists as known only after apply; the metadata describes the
// uploaded file and stays. Call it where an update runs processing on the media (a procedure started
// or waited for): in ModifyPlan, so that the plan shows the outputs changing, and again before reading
// the media once a wait has ended, because the update's refresh keeps outputs that the model holds as
// known (keepPlanned).
func (m *mediaOutputsModel) setOutputsUnknown() {
	for _, l := range m.lists() {
		*l.value = types.ListUnknown(l.desc.objectType())
	}
}

// keepPlanned puts back the values the plan knew: an update plans the outputs unchanged (see
// mediaOutputResourceAttributes), and Terraform refuses a result that differs from a known planned
// value. Processing that finishes while the update runs shows on the next refresh instead.
func (m *mediaOutputsModel) keepPlanned(planned mediaOutputsModel) {
	keepKnown(&m.AdaptiveStreams, planned.AdaptiveStreams)
	keepKnown(&m.Transcodes, planned.Transcodes)
	keepKnown(&m.Snapshots, planned.Snapshots)
	keepKnown(&m.ImageSprites, planned.ImageSprites)
	keepKnown(&m.Duration, planned.Duration)
	keepKnown(&m.Width, planned.Width)
	keepKnown(&m.Height, planned.Height)
	keepKnown(&m.Bitrate, planned.Bitrate)
	keepKnown(&m.Container, planned.Container)
}

func keepKnown[T interface{ IsUnknown() bool }](current *T, planned T) {
	if !planned.IsUnknown() {
		*current = planned
	}
}

// setUnreadOutputs replaces unknown outputs with typed nulls when the media could not be read: state
// cannot hold unknown values, and the next refresh fills them in.
func (m *mediaOutputsModel) setUnreadOutputs() {
	for _, l := range m.lists() {
		if l.value.IsUnknown() {
			*l.value = types.ListNull(l.desc.objectType())
		}
	}
	if m.Duration.IsUnknown() {
		m.Duration = types.Float64Null()
	}
	for _, i := range []*types.Int64{&m.Width, &m.Height, &m.Bitrate} {
		if i.IsUnknown() {
			*i = types.Int64Null()
		}
	}
	if m.Container.IsUnknown() {
		m.Container = types.StringNull()
	}
}
