package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
)

// expiringMediaConfig is one media that VOD deletes a few seconds from now, and that expiry.
func expiringMediaConfig(t *testing.T, env *testEnv) (string, time.Time) {
	t.Helper()
	video, _ := newMediaFiles(t).random("clip.mp4", 8<<10)
	expires := time.Now().Add(6 * time.Second).UTC().Truncate(time.Second)
	return env.providerConfig() + fmt.Sprintf(`
resource "tencentvod_media" "test" {
  source      = %q
  expire_time = %q
}
`, video, expires.Format(time.RFC3339)), expires
}

// applyMediaThatExpires applies expiringMediaConfig with Terraform run directly, then waits until VOD
// has deleted the media because its expiry passed.
func applyMediaThatExpires(t *testing.T) (*testEnv, *directTerraform, time.Time) {
	t.Helper()
	env := newTestEnv(t)
	config, expires := expiringMediaConfig(t, env)
	tf := newDirectTerraform(t, config)
	if err := tf.apply(context.Background()); err != nil {
		t.Fatalf("terraform apply: %s\n%s", err, tf.output)
	}
	time.Sleep(time.Until(expires.Add(time.Second)))
	if n := len(env.emu.Media()); n != 0 {
		t.Fatalf("%d media in VOD after their expiry", n)
	}
	return env, tf, expires
}

// Once VOD has deleted media whose expire_time passed, `terraform destroy` of the unchanged
// configuration succeeds. Terraform's refresh drops the media and, before a destroy too, plans it anew
// with the passed expiry: that plan warns rather than fails, and nothing is uploaded again.
func TestAccMedia_destroyAfterExpiry(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env, tf, expires := applyMediaThatExpires(t)

	changes, err := tf.plan(context.Background())
	if err != nil || !changes {
		t.Errorf("terraform plan after the expiry: changes %v, error %v; want a warning and the media planned anew\n%s", changes, err, tf.output)
	}
	output := strings.Join(strings.Fields(tf.output.String()), " ")
	for _, want := range []string{"VOD Media Expired", "apply refuses", "expire_time " + expires.Format(time.RFC3339) + " has passed"} {
		if !strings.Contains(output, want) {
			t.Errorf("the plan's output does not say %q:\n%s", want, tf.output)
		}
	}
	if err := tf.destroy(context.Background()); err != nil {
		t.Fatalf("terraform destroy of the configuration whose media expired: %s\n%s", err, tf.output)
	}
	if n := env.apiAttempts("ApplyUpload"); n != 1 {
		t.Errorf("%d upload sessions; the expired media must not be uploaded again", n)
	}
}

// `terraform apply` refuses to create media again with a passed expire_time (the plan Terraform makes
// at apply refuses it before anything is uploaded), and the error says how to destroy the configuration
// as it is, which then works.
func TestAccMedia_applyAfterExpiryRefusedAndSaysHowToDestroy(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env, tf, expires := applyMediaThatExpires(t)

	if err := tf.apply(context.Background()); err == nil {
		t.Fatalf("terraform apply created media with a passed expire_time\n%s", tf.output)
	}
	want := attributeMessage(`expire_time value must be a time in the future, got "` + expires.Format(time.RFC3339) +
		`"`)
	if !want.MatchString(tf.output.String()) || !wrapTolerant(`run terraform destroy -refresh=false`).MatchString(tf.output.String()) {
		t.Errorf("the apply's error does not name expire_time and how to destroy:\n%s", tf.output)
	}
	if n := env.apiAttempts("ApplyUpload"); n != 1 {
		t.Errorf("%d upload sessions; nothing may be uploaded with a passed expire_time", n)
	}
	if err := tf.tf.Destroy(context.Background(), tf.reattach, tfexec.Refresh(false)); err != nil {
		t.Fatalf("terraform destroy -refresh=false: %s\n%s", err, tf.output)
	}
}

// An upload session whose expire_time has passed is refused when it opens, not by a validator: with
// enabled = terraform.applying, plan warns and `terraform destroy` of the unchanged configuration works
// (a validator would refuse every command on it once the time had passed).
func TestAccUploadSession_passedExpiryDoesNotBlockDestroy(t *testing.T) {
	t.Parallel()
	skipInAccMode(t)
	env := newTestEnv(t)
	expires := time.Now().Add(4 * time.Second).UTC().Truncate(time.Second)
	tf := newDirectTerraform(t, env.providerConfig()+fmt.Sprintf(`
ephemeral "tencentvod_upload_session" "video" {
  media_type  = "mp4"
  expire_time = %q
  enabled     = terraform.applying
}

resource "terraform_data" "upload" {
  provisioner "local-exec" {
    command     = "test -n \"$UPLOAD_URL\""
    environment = { UPLOAD_URL = ephemeral.tencentvod_upload_session.video.media_upload_url }
  }
}
`, expires.Format(time.RFC3339)))
	if err := tf.apply(context.Background()); err != nil {
		t.Fatalf("terraform apply: %s\n%s", err, tf.output)
	}
	time.Sleep(time.Until(expires.Add(time.Second)))

	if _, err := tf.plan(context.Background()); err != nil {
		t.Errorf("terraform plan once expire_time has passed: %s\n%s", err, tf.output)
	}
	if !wrapTolerant(`Upload Session Would Be Refused`).MatchString(tf.output.String()) {
		t.Errorf("the plan does not warn that the session would be refused:\n%s", tf.output)
	}
	if err := tf.destroy(context.Background()); err != nil {
		t.Fatalf("terraform destroy once expire_time has passed: %s\n%s", err, tf.output)
	}
	if n := env.apiAttempts("ApplyUpload"); n != 1 {
		t.Errorf("%d upload sessions opened, want the apply's one", n)
	}
}

// A planned expiry is compared with the current one only when there is one: the timetypes library
// parses a null value as the zero time, which would let an expire_time of that very instant through
// at create.
func TestCheckPlannedExpiry_zeroTimeAtCreate(t *testing.T) {
	zero := timetypes.NewRFC3339ValueMust("0001-01-01T00:00:00Z")
	if diags := checkPlannedExpiry(context.Background(), zero, timetypes.NewRFC3339Null(), false); !diags.HasError() {
		t.Errorf("expire_time %s at create: no error", zero.ValueString())
	}
	// Unchanged from state, a passed expiry stays allowed (the media can still be refreshed and destroyed).
	if diags := checkPlannedExpiry(context.Background(), zero, zero, false); diags.HasError() {
		t.Errorf("unchanged passed expire_time: %v", diags)
	}
}
