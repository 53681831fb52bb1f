package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/tencentvod/terraform-provider-tencentvod/internal/vod"
)

var _ vod.Logger = tflogLogger{}

// tflogLogger sends the client's log lines to Terraform's log (TF_LOG) through the context of the RPC
// that made the call, so that each line carries that RPC's fields and masks.
type tflogLogger struct{}

func (tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.SubsystemDebug(ctx, logSubsystem, msg, fields)
}

func (tflogLogger) Info(ctx context.Context, msg string, fields map[string]any) {
	tflog.SubsystemInfo(ctx, logSubsystem, msg, fields)
}

func (tflogLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.SubsystemWarn(ctx, logSubsystem, msg, fields)
}

// logSubsystem names the client's log lines, e.g. `[DEBUG] provider.vod: calling ApplyUpload`.
const logSubsystem = "vod"

// secretFieldKeys are log field names whose values are always masked. The client never logs secrets;
// this is a second line of defence should a future change add one by mistake.
var secretFieldKeys = []string{
	"secret_key", "security_token", "token", "tmp_secret_key", "vod_session_key", "upload_url", "authorization",
}

// withLogging prepares an RPC's context: it creates the client's log subsystem and masks the values of
// secret-named fields. Secret values themselves are masked with maskSecrets once they are known.
func withLogging(ctx context.Context) context.Context {
	ctx = tflog.NewSubsystem(ctx, logSubsystem)
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, secretFieldKeys...)
	return tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, logSubsystem, secretFieldKeys...)
}

// maskSecrets masks the given values wherever they appear in later log lines of this context.
func maskSecrets(ctx context.Context, secrets ...string) context.Context {
	var nonEmpty []string
	for _, s := range secrets {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	if len(nonEmpty) == 0 {
		return ctx
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, nonEmpty...)
	ctx = tflog.MaskMessageStrings(ctx, nonEmpty...)
	ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, nonEmpty...)
	return tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, nonEmpty...)
}
