package provider

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// The emulator keeps the media name as the file name of the storage path, as VOD does, so the presigned
// URL must encode every character of it that means something in a URL: space, brackets, '+', '%', '&',
// '#', '?', ';' and non-ASCII letters. A PUT to the URL must land exactly on the session's media key.
func TestAccUploadSessionEphemeral_presignedURLOfAnAwkwardMediaName(t *testing.T) {
	t.Parallel()
	skipInAccMode(t) // reads the uploaded bytes back from the emulator
	env := newTestEnv(t)
	const mediaName = `presigned clip (1) +100% & #2? a;b 视频`
	content := []byte("bytes for " + t.Name())

	runTest(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: env.providerConfig() + fmt.Sprintf(`
ephemeral "tencentvod_upload_session" "test" {
  media_type = "mp4"
  media_name = %q
  cover_type = "jpg"
}
`, mediaName) + echoProviderConfig,
			ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(state *tfjson.State) error {
				data, err := echoData(state)
				if err != nil {
					return err
				}
				session, ok := env.sessionByKey(stringAt(data, "vod_session_key"))
				if !ok {
					return fmt.Errorf("the emulator minted no session with the echoed key")
				}
				wantKey := strings.TrimPrefix(session.MediaStoragePath, "/")
				if !strings.HasSuffix(wantKey, "/presigned clip (1) +100%25 & #2? a;b 视频.mp4") {
					return fmt.Errorf("media key %q does not keep the media name", wantKey)
				}
				if err := putTo(stringAt(data, "media_upload_url"), content); err != nil {
					return fmt.Errorf("media_upload_url: %w", err)
				}
				got, ok := env.emu.Object(session.StorageBucket, wantKey)
				if !ok || !bytes.Equal(got, content) {
					return fmt.Errorf("the PUT did not store the bytes at the session's media key %q", wantKey)
				}
				return nil
			})},
		}},
	})
}

// putTo sends body with an HTTP PUT to a presigned URL, as curl --upload-file does.
func putTo(url string, body []byte) error {
	req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("PUT answered %d: %s", resp.StatusCode, reply)
	}
	return nil
}
