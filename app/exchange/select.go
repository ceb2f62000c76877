package exchange

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hooklens/hooklens/app"
)

// Source is where Select reads events: the store, or a running instance
// through the local API.
type Source interface {
	Event(id uint64) (*app.Event, error)
	Events(p app.Page) ([]app.EventSummary, error)
}

// selectPage is how many summaries Select reads at a time.
const selectPage = 500

// Select fetches, whole, the events f matches (every event for the zero
// filter), oldest first: the order they arrived and the order an export
// lists them. Events deleted meanwhile are skipped. progress, when set,
// hears how many were fetched after each page; ctx cancels.
func Select(ctx context.Context, src Source, f app.Filter, progress func(fetched int)) ([]*app.Event, error) {
	var out []*app.Event
	for offset := 0; ; {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("stopped after reading %d events: %w", len(out), err)
		}
		page, err := src.Events(app.Page{Offset: offset, Limit: selectPage, Filter: f})
		if err != nil {
			return nil, err
		}
		for _, sum := range page {
			e, err := src.Event(sum.ID)
			if errors.Is(err, app.ErrNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		if progress != nil {
			progress(len(out))
		}
		if len(page) < selectPage {
			break
		}
		offset += len(page)
	}
	slices.Reverse(out)
	return out, nil
}

// SelectIDs fetches the events with these ids, in the order given.
func SelectIDs(src Source, ids []uint64) ([]*app.Event, error) {
	out := make([]*app.Event, 0, len(ids))
	for _, id := range ids {
		e, err := src.Event(id)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
