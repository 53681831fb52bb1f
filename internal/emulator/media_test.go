package emulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// describeReply keeps MediaInfoSet entries raw so tests can tell null from absent or empty.
type describeReply struct {
	MediaInfoSet      []map[string]json.RawMessage
	NotExistFileIdSet []string
}

func describe(t *testing.T, srv *Server, params map[string]any) describeReply {
	t.Helper()
	reply := vodCall(t, srv, "DescribeMediaInfos", params)
	wantCode(t, reply, "")
	var d describeReply
	reply.decode(t, &d)
	if d.NotExistFileIdSet == nil {
		t.Fatal("NotExistFileIdSet is null, want a list")
	}
	return d
}

func TestDescribeMediaInfos_fullInformation(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now})
	u, c := uploadMedia(t, srv, `{"MediaType":"mov","MediaName":"clip","CoverType":"png","SourceContext":"src"}`)

	d := describe(t, srv, map[string]any{"FileIds": []string{"1111111111111111111", c.FileId}})
	if len(d.MediaInfoSet) != 1 || strings.Join(d.NotExistFileIdSet, ",") != "1111111111111111111" {
		t.Fatalf("reply = %+v", d)
	}
	info := d.MediaInfoSet[0]
	if string(info["FileId"]) != strconv.Quote(c.FileId) {
		t.Fatalf("FileId = %s", info["FileId"])
	}
	// Every documented section is present; the ones the emulator has no data for are null.
	for _, section := range []string{"AnimatedGraphicsInfo", "SampleSnapshotInfo", "ImageSpriteInfo",
		"SnapshotByTimeOffsetInfo", "KeyFrameDescInfo", "AdaptiveDynamicStreamingInfo", "MiniProgramReviewInfo",
		"SubtitleInfo", "ReviewInfo", "MPSAiMediaInfo", "ImageUnderstandingInfo", "KnowledgeBasesInfo", "FaceRecognitionInfo"} {
		if raw, ok := info[section]; !ok || string(raw) != "null" {
			t.Errorf("%s = %q, want null", section, raw)
		}
	}
	now := clock.Now().UTC().Format("2006-01-02T15:04:05Z")
	wantBasic := `{"Name":"clip","Description":"","CreateTime":"` + now + `","UpdateTime":"` + now +
		`","ExpireTime":"9999-12-31T23:59:59Z","ClassId":0,"ClassName":"SystemDefault","ClassPath":"SystemDefault",` +
		`"CoverUrl":"` + c.CoverUrl + `","Type":"mov","MediaUrl":"` + c.MediaUrl + `","SourceInfo":{"SourceType":"Upload",` +
		`"SourceContext":"src","LiveRecordInfo":null,"TrtcRecordInfo":null,"WebPageRecordInfo":null},"StorageRegion":"ap-guangzhou",` +
		`"StoragePath":"` + u.MediaStoragePath + `","TagSet":[],"Vid":"","Category":"Video","Status":"Normal","StorageClass":"STANDARD"}`
	if got := compactJSON(t, info["BasicInfo"]); got != wantBasic {
		t.Fatalf("BasicInfo =\n%s\nwant\n%s", got, wantBasic)
	}
	// The emulated metadata of a small video (see metaDataOf): 1280x720 at 2 Mbps, at least a second long.
	wantMeta := `{"Size":` + strconv.Itoa(len(u.media)) + `,"Container":"mov","Bitrate":2000000,"Height":720,"Width":1280,"Duration":1,` +
		`"Rotate":0,"VideoStreamSet":[{"Bitrate":1872000,"Height":720,"Width":1280,"Codec":"h264","Fps":25,"CodecTag":"",` +
		`"DynamicRangeInfo":{"Type":"SDR","HDRType":""}}],"AudioStreamSet":[{"Bitrate":128000,"SamplingRate":44100,"Codec":"aac"}],` +
		`"VideoDuration":1,"AudioDuration":1,"Md5":""}`
	if got := compactJSON(t, info["MetaData"]); got != wantMeta {
		t.Fatalf("MetaData =\n%s\nwant\n%s", got, wantMeta)
	}
	// TranscodeInfo lists the original file as Definition 0.
	var transcodes struct {
		TranscodeSet []struct {
			Definition int64
			Url        string
		}
	}
	if err := json.Unmarshal(info["TranscodeInfo"], &transcodes); err != nil || len(transcodes.TranscodeSet) != 1 ||
		transcodes.TranscodeSet[0].Definition != 0 || transcodes.TranscodeSet[0].Url != c.MediaUrl {
		t.Fatalf("TranscodeInfo = %s (%v)", info["TranscodeInfo"], err)
	}
}

func compactJSON(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestDescribeMediaInfos_filtersAndApplications(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{SubAppIDs: []uint64{1500000000, 1500000001}})
	_, inDefault := uploadMedia(t, srv, `{"MediaType":"mp4"}`)
	_, inOther := uploadMedia(t, srv, `{"MediaType":"mp4","SubAppId":1500000001}`)

	d := describe(t, srv, map[string]any{"FileIds": []string{inDefault.FileId, inOther.FileId, inDefault.FileId}, "Filters": []string{"basicInfo"}})
	if len(d.MediaInfoSet) != 1 || strings.Join(d.NotExistFileIdSet, ",") != inOther.FileId {
		t.Fatalf("default application sees %+v", d)
	}
	if string(d.MediaInfoSet[0]["MetaData"]) != "null" || string(d.MediaInfoSet[0]["BasicInfo"]) == "null" {
		t.Fatalf("Filters basicInfo returned %s / %s", d.MediaInfoSet[0]["BasicInfo"], d.MediaInfoSet[0]["MetaData"])
	}
	d = describe(t, srv, map[string]any{"FileIds": []string{inDefault.FileId, inOther.FileId}, "SubAppId": 1500000001, "Filters": []string{"metaData"}})
	if len(d.MediaInfoSet) != 1 || string(d.MediaInfoSet[0]["FileId"]) != strconv.Quote(inOther.FileId) ||
		strings.Join(d.NotExistFileIdSet, ",") != inDefault.FileId {
		t.Fatalf("application 1500000001 sees %+v", d)
	}
	if string(d.MediaInfoSet[0]["BasicInfo"]) != "null" || string(d.MediaInfoSet[0]["MetaData"]) == "null" {
		t.Fatal("Filters metaData did not select MetaData only")
	}
	// An empty Filters list means "everything", like an absent one.
	d = describe(t, srv, map[string]any{"FileIds": []string{inDefault.FileId}, "Filters": []string{}})
	if string(d.MediaInfoSet[0]["BasicInfo"]) == "null" || string(d.MediaInfoSet[0]["MetaData"]) == "null" {
		t.Fatal("Filters [] did not return every section")
	}
}

func TestDescribeMediaInfos_validation(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	twenty := make([]string, 20)
	for i := range twenty {
		twenty[i] = strconv.Itoa(1000000000000000000 + i)
	}
	tests := []struct {
		name string
		body string
		want ErrorCode
	}{
		{"twenty ids", mustJSON(t, map[string]any{"FileIds": twenty}), ""},
		{"every filter", `{"FileIds":["1"],"Filters":["basicInfo","metaData","transcodeInfo","animatedGraphicsInfo","imageSpriteInfo","snapshotByTimeOffsetInfo","sampleSnapshotInfo","keyFrameDescInfo","adaptiveDynamicStreamingInfo","miniProgramReviewInfo","subtitleInfo","reviewInfo","mpsAiMediaInfo","knowledgeBasesInfo"]}`, ""},
		{"missing FileIds", `{}`, CodeMissingParameter},
		{"null FileIds", `{"FileIds":null}`, CodeMissingParameter},
		{"empty FileIds", `{"FileIds":[]}`, CodeFileIDsEmpty},
		{"21 ids", mustJSON(t, map[string]any{"FileIds": append(slices.Clone(twenty), "1")}), CodeInvalidFileIDs},
		{"empty id", `{"FileIds":["1",""]}`, CodeInvalidFileIDs},
		{"FileIds not a list", `{"FileIds":"1"}`, CodeInvalidParameter},
		{"unknown filter", `{"FileIds":["1"],"Filters":["basicinfo"]}`, CodeInvalidFilters},
		{"unknown parameter", `{"FileIds":["1"],"Limit":1}`, CodeUnknownParameter},
		{"unknown application", `{"FileIds":["1"],"SubAppId":7}`, CodeInvalidSubAppID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wantCode(t, call(t, srv, apiRequest{Action: "DescribeMediaInfos", Body: tt.body}), tt.want)
		})
	}
}

func TestDeleteMedia_removesEverything(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	u, c := uploadMedia(t, srv, `{"MediaType":"mp4","CoverType":"png"}`)
	_, kept := uploadMedia(t, srv, `{"MediaType":"mp4"}`)

	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": c.FileId}), "")
	for _, key := range []string{u.mediaKey(), u.coverKey()} {
		if _, ok := srv.ObjectStore().Stat(u.StorageBucket, key); ok {
			t.Fatalf("object %s survived DeleteMedia", key)
		}
	}
	for _, url := range []string{c.MediaUrl, c.CoverUrl} {
		if resp, _ := fetch(t, http.MethodGet, url, nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("GET %s after delete = %d", url, resp.StatusCode)
		}
	}
	d := describe(t, srv, map[string]any{"FileIds": []string{c.FileId, kept.FileId}})
	if len(d.MediaInfoSet) != 1 || strings.Join(d.NotExistFileIdSet, ",") != c.FileId {
		t.Fatalf("after delete: %+v", d)
	}
	if _, ok := srv.MediaFile(c.FileId); ok {
		t.Fatal("MediaFile still finds the deleted file")
	}
	// Deleting again, or an id that never existed, is ResourceNotFound.
	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": c.FileId}), CodeResourceNotFound)
	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": "1234567890123456789", "DeleteParts": []any{}}), CodeResourceNotFound)
}

func TestDeleteMedia_parts(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{SubAppIDs: []uint64{1500000000, 1500000001}})
	u, c := uploadMedia(t, srv, `{"MediaType":"mp4","CoverType":"png"}`)

	// Parts the emulator does not produce have nothing to delete.
	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": c.FileId,
		"DeleteParts": []map[string]any{{"Type": "TranscodeFiles", "Definition": 230}, {"Type": "WechatPublishFiles"}}}), "")
	if _, ok := srv.ObjectStore().Stat(u.StorageBucket, u.mediaKey()); !ok {
		t.Fatal("TranscodeFiles deleted the original")
	}
	// Another application does not see the file.
	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": c.FileId, "SubAppId": 1500000001}), CodeResourceNotFound)

	// OriginalFiles removes the media object; the file record and its cover stay.
	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": c.FileId, "DeleteParts": []map[string]any{{"Type": "OriginalFiles"}}}), "")
	if _, ok := srv.ObjectStore().Stat(u.StorageBucket, u.mediaKey()); ok {
		t.Fatal("OriginalFiles kept the media object")
	}
	if _, ok := srv.ObjectStore().Stat(u.StorageBucket, u.coverKey()); !ok {
		t.Fatal("OriginalFiles deleted the cover")
	}
	if resp, _ := fetch(t, http.MethodGet, c.MediaUrl, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("media URL after OriginalFiles = %d", resp.StatusCode)
	}
	if d := describe(t, srv, map[string]any{"FileIds": []string{c.FileId}}); len(d.MediaInfoSet) != 1 {
		t.Fatalf("file record gone after OriginalFiles: %+v", d)
	}

	for name, tt := range map[string]struct {
		body string
		want ErrorCode
	}{
		"missing FileId":    {`{}`, CodeMissingParameter},
		"part without Type": {`{"FileId":"1","DeleteParts":[{"Definition":1}]}`, CodeMissingParameter},
		"unknown part Type": {`{"FileId":"1","DeleteParts":[{"Type":"Everything"}]}`, CodeInvalidParameterValue},
		"unknown part key":  {`{"FileId":"1","DeleteParts":[{"Type":"OriginalFiles","Force":true}]}`, CodeUnknownParameter},
		"negative Definition": {`{"FileId":"1","DeleteParts":[{"Type":"TranscodeFiles","Definition":-1}]}`,
			CodeInvalidParameterValue},
	} {
		t.Run(name, func(t *testing.T) {
			wantCode(t, call(t, srv, apiRequest{Action: "DeleteMedia", Body: tt.body}), tt.want)
		})
	}
}

var (
	pngImage  = append([]byte("\x89PNG\r\n\x1a\n"), "png body"...)
	jpegImage = append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, "jpeg body"...)
	gifImage  = []byte("GIF89a gif body")
)

func TestModifyMediaInfo_changesProperties(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, ClassIDs: []int64{3}})
	u, c := uploadMedia(t, srv, `{"MediaType":"mp4","CoverType":"png"}`)
	clock.Advance(time.Hour)
	expires := clock.Now().Add(24 * time.Hour).In(time.FixedZone("CST", 8*3600))

	reply := vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": c.FileId, "Name": strings.Repeat("名", 64),
		"Description": strings.Repeat("d", 128), "ClassId": 3, "ExpireTime": expires.Format(time.RFC3339),
		"AddTags": []string{"a", "b", strings.Repeat("t", 32)}})
	wantCode(t, reply, "")
	if _, ok := reply.Fields["CoverUrl"]; ok {
		t.Fatal("CoverUrl returned without CoverData")
	}
	m, _ := srv.MediaFile(c.FileId)
	if m.Name != strings.Repeat("名", 64) || m.Description != strings.Repeat("d", 128) || m.ClassID != 3 ||
		!m.ExpireTime.Equal(expires) || strings.Join(m.Tags, ",") != "a,b,"+strings.Repeat("t", 32) ||
		!m.UpdateTime.Equal(clock.Now()) || m.CreateTime.Equal(m.UpdateTime) || m.CoverURL != c.CoverUrl {
		t.Fatalf("media = %+v", m)
	}
	var basic struct{ ExpireTime, UpdateTime, ClassName string }
	_ = json.Unmarshal(describe(t, srv, map[string]any{"FileIds": []string{c.FileId}}).MediaInfoSet[0]["BasicInfo"], &basic)
	if basic.ExpireTime != expires.UTC().Format("2006-01-02T15:04:05Z") || basic.ClassName != "Class 3" ||
		basic.UpdateTime != clock.Now().Format("2006-01-02T15:04:05Z") {
		t.Fatalf("BasicInfo = %+v", basic)
	}

	// Tags: delete one, then clear; never-expires resets ExpireTime.
	wantCode(t, vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": c.FileId, "DeleteTags": []string{"a", "missing"},
		"AddTags": []string{"b", "c"}, "ExpireTime": "9999-12-31T23:59:59Z"}), "")
	if m, _ = srv.MediaFile(c.FileId); strings.Join(m.Tags, ",") != "b,"+strings.Repeat("t", 32)+",c" || !m.ExpireTime.IsZero() {
		t.Fatalf("after DeleteTags: %+v", m)
	}
	wantCode(t, vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": c.FileId, "ClearTags": 1, "DeleteTags": []string{"b"}}), "")
	if m, _ = srv.MediaFile(c.FileId); len(m.Tags) != 0 || m.Tags == nil {
		t.Fatalf("after ClearTags: %#v", m.Tags)
	}

	// A new cover gets a new URL serving the new bytes; the old cover object is gone.
	oldCover := u.coverKey()
	for _, image := range [][]byte{pngImage, jpegImage, gifImage} {
		reply = vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": c.FileId, "CoverData": base64.StdEncoding.EncodeToString(image)})
		wantCode(t, reply, "")
		var got struct{ CoverUrl string }
		reply.decode(t, &got)
		m, _ = srv.MediaFile(c.FileId)
		if got.CoverUrl == "" || got.CoverUrl != m.CoverURL || m.CoverKey == oldCover {
			t.Fatalf("CoverUrl = %q, media %+v", got.CoverUrl, m)
		}
		if resp, body := fetch(t, http.MethodGet, got.CoverUrl, nil); resp.StatusCode != http.StatusOK || !bytes.Equal(body, image) {
			t.Fatalf("GET new cover = %d %q", resp.StatusCode, body)
		}
		if _, ok := srv.ObjectStore().Stat(u.StorageBucket, oldCover); ok {
			t.Fatalf("old cover %s still stored", oldCover)
		}
		oldCover = m.CoverKey
	}
	if got := srv.ObjectStore().Objects(); len(got) != 2 {
		t.Fatalf("objects = %+v, want the media and one cover", got)
	}
}

func TestModifyMediaInfo_validation(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now, ClassIDs: []int64{3}, SubAppIDs: []uint64{1500000000, 1500000001}})
	_, c := uploadMedia(t, srv, `{"MediaType":"mp4"}`)
	id := `"FileId":"` + c.FileId + `"`
	past := clock.Now().Add(-time.Minute).Format(time.RFC3339)
	tests := []struct {
		name string
		body string
		want ErrorCode
	}{
		{"nothing to change", `{` + id + `}`, ""},
		{"missing FileId", `{"Name":"x"}`, CodeMissingParameter},
		{"unknown file", `{"FileId":"1234567890123456789","Name":"x"}`, CodeFileNotExist},
		{"another application's file", `{` + id + `,"SubAppId":1500000001}`, CodeFileNotExist},
		{"unknown application", `{` + id + `,"SubAppId":9}`, CodeInvalidSubAppID},
		{"unknown parameter", `{` + id + `,"Title":"x"}`, CodeUnknownParameter},
		{"name of 65 characters", `{` + id + `,"Name":"` + strings.Repeat("名", 65) + `"}`, CodeInvalidName},
		{"description of 129 characters", `{` + id + `,"Description":"` + strings.Repeat("d", 129) + `"}`, CodeInvalidDescription},
		{"unknown class", `{` + id + `,"ClassId":4}`, CodeInvalidClassID},
		{"ExpireTime in the past", `{` + id + `,"ExpireTime":"` + past + `"}`, CodeInvalidExpireTime},
		{"ExpireTime not ISO", `{` + id + `,"ExpireTime":"tomorrow"}`, CodeInvalidExpireTime},
		{"ExpireTime empty", `{` + id + `,"ExpireTime":""}`, CodeInvalidExpireTime},
		{"tag of 33 characters", `{` + id + `,"AddTags":["` + strings.Repeat("t", 33) + `"]}`, CodeTagTooLong},
		{"empty tag", `{` + id + `,"AddTags":[""]}`, CodeInvalidParameterValue},
		{"17 tags", mustJSON(t, map[string]any{"FileId": c.FileId, "AddTags": numberedTags(17)}), CodeTagCountReachMax},
		{"add and clear tags", `{` + id + `,"AddTags":["a"],"ClearTags":1}`, CodeAddTagsAndClearTagsConflict},
		{"add and delete a tag", `{` + id + `,"AddTags":["a"],"DeleteTags":["a"]}`, CodeAddTagsAndDeleteTagsConflict},
		{"cover not base64", `{` + id + `,"CoverData":"%%%"}`, CodeImageDecodeError},
		{"cover not an image", `{` + id + `,"CoverData":"` + base64.StdEncoding.EncodeToString([]byte("BM bitmap")) + `"}`, CodeImageDecodeError},
		{"empty cover", `{` + id + `,"CoverData":""}`, CodeImageDecodeError},
		{"key frame descriptions", `{` + id + `,"AddKeyFrameDescs":[{"TimeOffset":1.5,"Content":"x"}]}`, ""},
		{"clear key frame descriptions", `{` + id + `,"ClearKeyFrameDescs":1}`, ""},
		{"key frame content of 128 characters", `{` + id + `,"AddKeyFrameDescs":[{"TimeOffset":2,"Content":"` + strings.Repeat("打", 128) + `"}]}`, ""},
		{"key frame content of 129 characters", `{` + id + `,"AddKeyFrameDescs":[{"TimeOffset":2,"Content":"` + strings.Repeat("打", 129) + `"}]}`, CodeKeyFrameDescContentTooLong},
		{"empty key frame content", `{` + id + `,"AddKeyFrameDescs":[{"TimeOffset":2,"Content":""}]}`, CodeInvalidParameterValue},
		{"negative key frame offset", `{` + id + `,"AddKeyFrameDescs":[{"TimeOffset":-1,"Content":"x"}]}`, CodeInvalidParameterValue},
		{"key frame offset as string", `{` + id + `,"AddKeyFrameDescs":[{"TimeOffset":"1","Content":"x"}]}`, CodeInvalidParameter},
		{"add and clear key frames", `{` + id + `,"AddKeyFrameDescs":[{"TimeOffset":1,"Content":"x"}],"ClearKeyFrameDescs":1}`, CodeAddKeyFrameDescsAndClearKeyFrameDescsConflict},
		{"add and delete one key frame", `{` + id + `,"AddKeyFrameDescs":[{"TimeOffset":1,"Content":"x"}],"DeleteKeyFrameDescs":[1]}`, CodeAddKeyFrameDescsAndDeleteKeyFrameDescsConflict},
		{"name with a newline", `{` + id + `,"Name":"clip\n"}`, CodeInvalidName},
		{"name with DEL", `{` + id + `,"Name":"clip\u007f"}`, CodeInvalidName},
		{"subtitles", `{` + id + `,"DeleteSubtitleIds":["s"]}`, CodeUnsupportedOperation},
		{"key frame with unknown field", `{` + id + `,"AddKeyFrameDescs":[{"TimeOffset":1,"Text":"x"}]}`, CodeUnknownParameter},
		{"knowledge bases", `{` + id + `,"DeleteKnowledgeBases":["kb-1"],"ClearKnowledgeBases":1}`, ""},
		{"ClearTags 0 means nothing", `{` + id + `,"ClearTags":0,"AddTags":["x"]}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, call(t, srv, apiRequest{Action: "ModifyMediaInfo", Body: tt.body}), tt.want)
		})
	}
	// Only the successful requests changed the file, and a rejected CoverData stored nothing.
	m, _ := srv.MediaFile(c.FileId)
	if m.Name != "f0" || strings.Join(m.Tags, ",") != "x" || m.CoverKey != "" || len(srv.ObjectStore().Objects()) != 1 {
		t.Fatalf("media = %+v, objects %d", m, len(srv.ObjectStore().Objects()))
	}
}

func numberedTags(n int) []string {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = "tag" + strconv.Itoa(i)
	}
	return tags
}

func TestModifyMediaInfo_tagLimitCountsExistingTags(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	_, c := uploadMedia(t, srv, `{"MediaType":"mp4"}`)
	wantCode(t, vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": c.FileId, "AddTags": numberedTags(16)}), "")
	// Re-adding existing tags is fine; a 17th tag is not, and a rejected request changes nothing.
	wantCode(t, vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": c.FileId, "AddTags": []string{"tag0"}}), "")
	wantCode(t, vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": c.FileId, "AddTags": []string{"new"}, "Name": "renamed",
		"CoverData": base64.StdEncoding.EncodeToString(pngImage)}), CodeTagCountReachMax)
	m, _ := srv.MediaFile(c.FileId)
	if len(m.Tags) != 16 || m.Name == "renamed" || m.CoverKey != "" || len(srv.ObjectStore().Objects()) != 1 {
		t.Fatalf("media after rejected request = %+v", m)
	}
	// Deleting one makes room in the same request.
	wantCode(t, vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": c.FileId, "AddTags": []string{"new"}, "DeleteTags": []string{"tag3"}}), "")
	if m, _ = srv.MediaFile(c.FileId); len(m.Tags) != 16 || !slices.Contains(m.Tags, "new") || slices.Contains(m.Tags, "tag3") {
		t.Fatalf("tags = %v", m.Tags)
	}
}

func TestMedia_expiresAtExpireTime(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startTestServer(t, Options{Clock: clock.Now})
	u, c := uploadMedia(t, srv, `{"MediaType":"mp4","CoverType":"png"}`)
	wantCode(t, vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": c.FileId,
		"ExpireTime": clock.Now().Add(time.Hour).Format(time.RFC3339)}), "")
	clock.Advance(time.Hour - time.Second)
	if d := describe(t, srv, map[string]any{"FileIds": []string{c.FileId}}); len(d.MediaInfoSet) != 1 {
		t.Fatal("file gone before its ExpireTime")
	}
	clock.Advance(time.Second)
	if d := describe(t, srv, map[string]any{"FileIds": []string{c.FileId}}); len(d.NotExistFileIdSet) != 1 {
		t.Fatalf("file still described at its ExpireTime: %+v", d)
	}
	if _, ok := srv.ObjectStore().Stat(u.StorageBucket, u.mediaKey()); ok {
		t.Fatal("expired media object still stored")
	}
	wantCode(t, vodCall(t, srv, "ModifyMediaInfo", map[string]any{"FileId": c.FileId, "Name": "x"}), CodeFileNotExist)
}

func TestRemoveMedia_outOfBand(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	_, c := uploadMedia(t, srv, `{"MediaType":"mp4","CoverType":"png"}`)
	if !srv.RemoveMedia(c.FileId) || srv.RemoveMedia(c.FileId) {
		t.Fatal("RemoveMedia should report true once, then false")
	}
	if d := describe(t, srv, map[string]any{"FileIds": []string{c.FileId}}); len(d.NotExistFileIdSet) != 1 {
		t.Fatalf("removed file still described: %+v", d)
	}
	if len(srv.ObjectStore().Objects()) != 0 || len(srv.Media()) != 0 {
		t.Fatal("RemoveMedia left objects or records behind")
	}
	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": c.FileId}), CodeResourceNotFound)
}

func TestMediaRoute(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	u, c := uploadMedia(t, srv, `{"MediaType":"mp4"}`)
	pending := applyUpload(t, srv, `{"MediaType":"mp4"}`)
	putUploadObjects(t, srv, &pending)

	resp, body := fetch(t, http.MethodGet, c.MediaUrl, http.Header{"Range": {"bytes=0-4"}})
	if resp.StatusCode != http.StatusPartialContent || string(body) != string(u.media[:5]) {
		t.Fatalf("range GET = %d %q", resp.StatusCode, body)
	}
	resp, body = fetch(t, http.MethodHead, c.MediaUrl, nil)
	if resp.StatusCode != http.StatusOK || len(body) != 0 || resp.ContentLength != int64(len(u.media)) ||
		resp.Header.Get("Content-Type") != "video/mp4" {
		t.Fatalf("HEAD = %d, length %d, type %q", resp.StatusCode, resp.ContentLength, resp.Header.Get("Content-Type"))
	}
	if resp, _ = fetch(t, http.MethodPut, c.MediaUrl, nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("PUT = %d", resp.StatusCode)
	}
	for _, path := range []string{
		"/_media/" + pending.StorageBucket + pending.MediaStoragePath, // uploaded but not committed: not public
		"/_media/" + u.StorageBucket,
		"/_media/other-1250000000" + u.MediaStoragePath,
		"/_media/",
	} {
		if resp, _ = fetch(t, http.MethodGet, srv.URL()+path, nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestInspection_media(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	u, c := uploadMedia(t, srv, `{"MediaType":"mp4","CoverType":"png","SourceContext":"ctx"}`)
	status, body := getURL(t, srv.URL()+"/_emulator/media")
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	var views []map[string]any
	if err := json.Unmarshal(body, &views); err != nil || len(views) != 1 {
		t.Fatalf("media = %s", body)
	}
	v := views[0]
	if v["file_id"] != c.FileId || v["media_url"] != c.MediaUrl || v["media_key"] != u.mediaKey() ||
		v["expire_time"] != "9999-12-31T23:59:59Z" || v["source_context"] != "ctx" || v["size"] != float64(len(u.media)) {
		t.Fatalf("view = %v", v)
	}
	for _, secret := range []string{u.VodSessionKey, u.TempCertificate.SecretKey, u.TempCertificate.Token, DefaultSecretKey} {
		if strings.Contains(string(body), secret) {
			t.Fatal("/_emulator/media leaks a secret")
		}
	}
	if _, index := getURL(t, srv.URL()+"/_emulator/"); !strings.Contains(string(index), "/_emulator/media") {
		t.Fatalf("index = %s", index)
	}
}

func TestFaults_afterDispatch(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	_, c := uploadMedia(t, srv, `{"MediaType":"mp4"}`)

	// An HTTP error after dispatch: the rename happened although the client saw a gateway error.
	srv.InjectFault(Fault{Action: "ModifyMediaInfo", HTTPStatus: http.StatusBadGateway, AfterDispatch: true, Times: 1})
	resp, err := http.DefaultClient.Do(apiRequest{Action: "ModifyMediaInfo",
		Body: mustJSON(t, map[string]any{"FileId": c.FileId, "Name": "renamed"})}.build(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if m, _ := srv.MediaFile(c.FileId); resp.StatusCode != http.StatusBadGateway || m.Name != "renamed" {
		t.Fatalf("status %d, name %q", resp.StatusCode, m.Name)
	}
	// An error code after dispatch: the delete happened although the reply says InternalError.
	srv.InjectFault(Fault{Action: "DeleteMedia", Code: "InternalError", AfterDispatch: true, Times: 1})
	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": c.FileId}), CodeInternalError)
	if _, ok := srv.MediaFile(c.FileId); ok {
		t.Fatal("the action did not run before the faulted reply")
	}
	// A fault before dispatch (the default) prevents the action.
	_, c2 := uploadMedia(t, srv, `{"MediaType":"mp4"}`)
	srv.InjectFault(Fault{Action: "DeleteMedia", Code: "InternalError", Times: 1})
	wantCode(t, vodCall(t, srv, "DeleteMedia", map[string]any{"FileId": c2.FileId}), CodeInternalError)
	if _, ok := srv.MediaFile(c2.FileId); !ok {
		t.Fatal("a fault before dispatch let the action run")
	}
}

// Key-frame descriptions are stored, replaced at the same offset, deleted, cleared and limited to 100
// per file, and DescribeMediaInfos returns them in offset order.
func TestModifyMediaInfo_keyFrameDescriptions(t *testing.T) {
	t.Parallel()
	srv := startTestServer(t, Options{})
	_, c := uploadMedia(t, srv, `{"MediaType":"mp4"}`)
	modify := func(params map[string]any) apiReply {
		params["FileId"] = c.FileId
		return vodCall(t, srv, "ModifyMediaInfo", params)
	}
	keyFrames := func() string {
		d := describe(t, srv, map[string]any{"FileIds": []string{c.FileId}, "Filters": []string{"keyFrameDescInfo"}})
		return compactJSON(t, d.MediaInfoSet[0]["KeyFrameDescInfo"])
	}
	if got := keyFrames(); got != "null" {
		t.Fatalf("KeyFrameDescInfo of a new file = %s, want null", got)
	}
	wantCode(t, modify(map[string]any{"AddKeyFrameDescs": []map[string]any{
		{"TimeOffset": 30, "Content": "end"}, {"TimeOffset": 1.5, "Content": "start"}, {"TimeOffset": 10, "Content": "middle"}}}), "")
	if got, want := keyFrames(), `{"KeyFrameDescSet":[{"TimeOffset":1.5,"Content":"start"},{"TimeOffset":10,"Content":"middle"},{"TimeOffset":30,"Content":"end"}]}`; got != want {
		t.Fatalf("KeyFrameDescInfo = %s, want %s", got, want)
	}
	wantCode(t, modify(map[string]any{"AddKeyFrameDescs": []map[string]any{{"TimeOffset": 10, "Content": "replaced"}},
		"DeleteKeyFrameDescs": []float64{30, 99}}), "")
	if m, _ := srv.MediaFile(c.FileId); mustJSON(t, m.KeyFrameDescs) != `[{"TimeOffset":1.5,"Content":"start"},{"TimeOffset":10,"Content":"replaced"}]` {
		t.Fatalf("after replace and delete: %+v", m.KeyFrameDescs)
	}

	// The limit counts the descriptions already stored.
	many := make([]map[string]any, 99)
	for i := range many {
		many[i] = map[string]any{"TimeOffset": 100 + i, "Content": "x"}
	}
	wantCode(t, modify(map[string]any{"AddKeyFrameDescs": many}), CodeKeyFrameDescCountReachMax)
	wantCode(t, modify(map[string]any{"AddKeyFrameDescs": many[:98]}), "")
	if m, _ := srv.MediaFile(c.FileId); len(m.KeyFrameDescs) != 100 {
		t.Fatalf("%d descriptions, want 100", len(m.KeyFrameDescs))
	}
	wantCode(t, modify(map[string]any{"ClearKeyFrameDescs": 1}), "")
	if got := keyFrames(); got != "null" {
		t.Fatalf("KeyFrameDescInfo after ClearKeyFrameDescs = %s, want null", got)
	}
}
