package app

import (
	"fmt"
	"strings"
)

// The Deliveries window's filter reads the same language as the event
// filter (free text, key:value, -term, quotes) with the keys a delivery has.
//
//	target:Shop  state:failed  event:7  kind:resend  status:5xx  "localhost:3000"  -state:delivered

// DeliveryFilterKeys is the one table of the delivery keys.
var DeliveryFilterKeys = []FilterKey{
	{"target", "a target's name or id", nil},
	{"state", "the delivery's state", []string{string(Pending), string(Delivered), string(Failed), string(Gone), string(Cancelled)}},
	{"event", "the captured event it came from: 7", nil},
	{"kind", "how it was made", []string{KindSend, KindResend, KindForward, KindSignal}},
	{"status", "the last attempt's status or class: 404, 5xx", []string{"2xx", "3xx", "4xx", "5xx"}},
}

// DeliveryFilter is a parsed delivery filter; the zero value matches every
// delivery.
type DeliveryFilter struct {
	Expr  string
	terms []deliveryTerm
}

type deliveryTerm struct {
	key, value string
	neg        bool
	ids        map[string]bool // target ids a target: term names
	event      uint64
	lo, hi     int
}

// ParseDeliveryFilter reads a delivery filter. target: matches a target by
// id or (case-insensitive) name, so targets are the ones that exist now; an
// unknown name matches nothing rather than failing, as a deleted target's
// deliveries keep its id.
func ParseDeliveryFilter(expr string, targets []Target) (DeliveryFilter, error) {
	f := DeliveryFilter{Expr: strings.TrimSpace(expr)}
	words, err := splitFilter(expr)
	if err != nil {
		return DeliveryFilter{}, err
	}
	for _, w := range words {
		t := deliveryTerm{}
		if strings.HasPrefix(w.s, "-") && len(w.s) > 1 && !w.quoted {
			t.neg, w.s = true, w.s[1:]
		}
		key, val, hasKey := strings.Cut(w.s, ":")
		if w.quoted || !hasKey || key == "" || strings.ContainsAny(key, " /") {
			t.value = strings.ToLower(w.s)
			f.terms = append(f.terms, t)
			continue
		}
		t.key, t.value = strings.ToLower(key), val
		bad := func(format string, a ...any) error {
			return fmt.Errorf("%s:%s — %s", t.key, val, fmt.Sprintf(format, a...))
		}
		if val == "" {
			return DeliveryFilter{}, bad("give a value after the colon")
		}
		switch t.key {
		case "target":
			t.ids = map[string]bool{val: true}
			for _, tg := range targets {
				if strings.EqualFold(tg.Name, val) || tg.ID == val {
					t.ids[tg.ID] = true
				}
			}
		case "state":
			t.value = strings.ToLower(val)
			if !oneOf(DeliveryFilterKeys[1].Values, t.value) {
				return DeliveryFilter{}, bad("use %s", strings.Join(DeliveryFilterKeys[1].Values, ", "))
			}
		case "event":
			id, err := ParseID(strings.TrimPrefix(val, "#"))
			if err != nil {
				return DeliveryFilter{}, bad("write the event's number, e.g. event:7")
			}
			t.event = id
		case "kind":
			t.value = strings.ToLower(val)
			if !oneOf(DeliveryFilterKeys[3].Values, t.value) {
				return DeliveryFilter{}, bad("use %s", strings.Join(DeliveryFilterKeys[3].Values, ", "))
			}
		case "status":
			lo, hi, ok := parseStatusTerm(val)
			if !ok {
				return DeliveryFilter{}, bad("write a status such as 404 or a class such as 5xx")
			}
			t.lo, t.hi = lo, hi
		default:
			return DeliveryFilter{}, unknownKey(t.key, keyNames(DeliveryFilterKeys))
		}
		f.terms = append(f.terms, t)
	}
	return f, nil
}

func oneOf(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// Empty reports whether f matches every delivery.
func (f DeliveryFilter) Empty() bool { return len(f.terms) == 0 }

// Match reports whether d passes every term of f.
func (f DeliveryFilter) Match(d DeliverySummary) bool {
	for _, t := range f.terms {
		if t.match(d) == t.neg {
			return false
		}
	}
	return true
}

func (t deliveryTerm) match(d DeliverySummary) bool {
	switch t.key {
	case "":
		return containsFold([]byte(d.URL), []byte(t.value), isASCIIBytes([]byte(t.value))) ||
			containsFold([]byte(d.Reason), []byte(t.value), isASCIIBytes([]byte(t.value)))
	case "target":
		return t.ids[d.TargetID]
	case "state":
		return string(d.State) == t.value
	case "event":
		return d.EventID == t.event
	case "kind":
		return d.Kind == t.value
	case "status":
		return d.LastStatus >= t.lo && d.LastStatus <= t.hi
	}
	return false
}
