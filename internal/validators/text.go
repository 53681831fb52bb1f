package validators

import (
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// NoControlCharacters refuses a C0 control character or DEL in a name, such as a newline taken from a
// file name: VOD refuses such names, and they would be invisible in the console and in plans.
func NoControlCharacters() validator.String {
	return checkValidator{allowed: "free of control characters (U+0000 to U+001F and U+007F)", check: FindControlCharacter}
}

// FindControlCharacter reports the first C0 control character or DEL in s, for names the provider
// derives itself (such as a media name taken from a file name).
func FindControlCharacter(s string) error {
	for i, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("it has U+%04X at byte %d", r, i)
		}
	}
	return nil
}

// NotInPastAllowed is what CheckNotInPast allows, for messages.
const NotInPastAllowed = "a time in the future"

// CheckNotInPast reports an RFC 3339 time that is not after now, such as an expiry: VOD would delete the
// media at once, and every apply would upload it again. A malformed time is not its business (the
// attribute's type, RFC3339Type, refuses it). It is not a validator: once an expiry has passed, a
// validator would refuse every command on the configuration, `terraform destroy` included, so the
// types check it when the value is about to be sent.
func CheckNotInPast(s string, now time.Time) error {
	if t, err := time.Parse(time.RFC3339, s); err == nil && !t.After(now) {
		return fmt.Errorf("the current time is %s, so VOD would delete the media at once",
			now.UTC().Format(time.RFC3339))
	}
	return nil
}

// Duration validates a positive Go duration such as "30s" or "1h30m", as the timeouts block takes. The
// timeouts library's own message does not name the attribute, and it accepts "0s" and "-1s", with
// which every operation would run out of time before it starts.
func Duration() validator.String {
	return checkValidator{
		allowed: `a positive duration such as "30s", "5m" or "1h30m"`,
		summary: "Invalid Attribute Value Time Duration", // the timeouts library's summary, kept for continuity
		check: func(s string) error {
			d, err := time.ParseDuration(s)
			if err == nil && d <= 0 {
				return errors.New("an operation would have no time at all")
			}
			return err
		},
	}
}
