package provider

import (
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
)

// expiredMedia remembers the expire_time of each media that a refresh by this provider instance found
// deleted by VOD after that time had passed. Terraform plans such media anew right after the refresh,
// and it does so in the plan it makes before `terraform destroy` too, failing the destroy on any error
// of that plan: the provider cannot tell that plan from an ordinary one. So for these media a passed
// expire_time is only a warning at plan. Nothing is created with it: Terraform plans each change again
// at apply, without a refresh, and that plan refuses it.
type expiredMedia struct {
	mu    sync.Mutex
	times map[time.Time]bool
}

// note records that a media with this expiry was found deleted after it expired.
func (e *expiredMedia) note(expiry timetypes.RFC3339, now time.Time) {
	t, ok := passedExpiry(expiry, now)
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.times == nil {
		e.times = map[time.Time]bool{}
	}
	e.times[t] = true
}

// seen reports whether a media with this expiry was found deleted after it expired.
func (e *expiredMedia) seen(expiry timetypes.RFC3339) bool {
	t, ok := passedExpiry(expiry, time.Now())
	if !ok {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.times[t]
}

// passedExpiry is expiry as a UTC instant (comparable whatever its offset), when it has passed.
func passedExpiry(expiry timetypes.RFC3339, now time.Time) (time.Time, bool) {
	if expiry.IsNull() || expiry.IsUnknown() {
		return time.Time{}, false
	}
	t, diags := expiry.ValueRFC3339Time()
	if diags.HasError() || t.After(now) {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// expiredSince says, for the message of media that no longer exist, that they expired, when they did.
func expiredSince(expiry timetypes.RFC3339) string {
	if _, ok := passedExpiry(expiry, time.Now()); !ok {
		return ""
	}
	return " (its expire_time " + expiry.ValueString() + " has passed, so VOD deleted it)"
}
