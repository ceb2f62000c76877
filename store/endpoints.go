package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// Endpoint returns the endpoint named slug, or an error wrapping
// app.ErrNotFound. The listener asks for every request, so answers are
// kept in memory (endpointCache) until an endpoint is changed.
func (s *Store) Endpoint(slug string) (app.Endpoint, error) {
	if ep, found, ok := s.endpoints.get(slug); ok {
		if !found {
			// The same error each time: the listener asks for every
			// request to a path that names no endpoint.
			return ep, s.endpoints.missing(slug)
		}
		return ep, nil
	}
	gen := s.endpoints.generation()
	var ep app.Endpoint
	found := false
	err := s.viewNow(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketEndpoints).Get([]byte(slug))
		if v == nil {
			return noEndpoint(slug)
		}
		found = true
		return decodeEndpoint(slug, v, &ep)
	})
	if err == nil || !found {
		if err == nil || errors.Is(err, app.ErrNotFound) {
			s.endpoints.put(gen, slug, ep, found)
		}
	}
	return ep, err
}

func noEndpoint(slug string) error {
	return fmt.Errorf("endpoint %q does not exist: add it with 'hooklens endpoint add --slug %s': %w", slug, slug, app.ErrNotFound)
}

// endpointCache keeps Endpoint's answers, found or not. A change bumps the
// generation and empties it; an answer read before a change is not kept.
type endpointCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]cachedEndpoint
}

type cachedEndpoint struct {
	ep    app.Endpoint
	found bool
	err   error // noEndpoint's, once made
}

// endpointCacheMax bounds the slugs kept: requests to made-up paths must
// not grow it without end.
const endpointCacheMax = 1024

func (c *endpointCache) get(slug string) (app.Endpoint, bool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	x, ok := c.m[slug]
	if !ok {
		return app.Endpoint{}, false, false
	}
	return cloneEndpoint(x.ep), x.found, true
}

// missing is the cached not-found error for slug.
func (c *endpointCache) missing(slug string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	x, ok := c.m[slug]
	if ok && x.err != nil {
		return x.err
	}
	err := noEndpoint(slug)
	if ok && !x.found {
		x.err = err
		c.m[slug] = x
	}
	return err
}

func (c *endpointCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *endpointCache) put(gen uint64, slug string, ep app.Endpoint, found bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) >= endpointCacheMax {
		c.m = map[string]cachedEndpoint{}
	}
	c.m[slug] = cachedEndpoint{ep: cloneEndpoint(ep), found: found}
}

func (c *endpointCache) changed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.m = nil
}

// cloneEndpoint copies the slices, so no caller shares the cached ones.
func cloneEndpoint(ep app.Endpoint) app.Endpoint {
	ep.Secrets = slices.Clone(ep.Secrets)
	ep.Response.Headers = slices.Clone(ep.Response.Headers)
	return ep
}

// Endpoints returns every endpoint sorted by slug (bbolt keeps keys sorted).
func (s *Store) Endpoints() ([]app.Endpoint, error) {
	var eps []app.Endpoint
	err := s.viewNow(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEndpoints).ForEach(func(k, v []byte) error {
			var ep app.Endpoint
			if err := decodeEndpoint(string(k), v, &ep); err != nil {
				s.skip()
				return nil
			}
			eps = append(eps, ep)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return eps, nil
}

func decodeEndpoint(slug string, v []byte, ep *app.Endpoint) error {
	if err := json.Unmarshal(v, ep); err != nil {
		return fmt.Errorf("endpoint %q is damaged in the store: delete it and add it again: %w", slug, err)
	}
	return nil
}

// PutEndpoint adds or replaces the endpoint with ep.Slug. A zero CreatedAt
// is set to now.
func (s *Store) PutEndpoint(ep app.Endpoint) error {
	if err := app.ValidateSlug(ep.Slug); err != nil {
		return err
	}
	if ep.CreatedAt.IsZero() {
		ep.CreatedAt = time.Now()
	}
	v, err := json.Marshal(ep)
	if err != nil {
		return fmt.Errorf("encoding endpoint %q: %w", ep.Slug, err)
	}
	defer s.endpoints.changed()
	return s.updateNow(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEndpoints).Put([]byte(ep.Slug), v)
	})
}

// DeleteEndpoint removes the endpoint named slug, or returns an error
// wrapping app.ErrNotFound.
func (s *Store) DeleteEndpoint(slug string) error {
	defer s.endpoints.changed()
	return s.updateNow(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEndpoints)
		if b.Get([]byte(slug)) == nil {
			return fmt.Errorf("endpoint %q does not exist: see 'hooklens endpoint list': %w", slug, app.ErrNotFound)
		}
		return b.Delete([]byte(slug))
	})
}

// Setting returns the value stored under key, or an error wrapping app.ErrNotFound.
func (s *Store) Setting(key string) (string, error) {
	var val string
	err := s.viewNow(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSettings).Get([]byte(key))
		if v == nil {
			return fmt.Errorf("setting %q is not set: %w", key, app.ErrNotFound)
		}
		val = string(v) // copies out of the transaction
		return nil
	})
	return val, err
}

// SetSetting stores value under key.
func (s *Store) SetSetting(key, value string) error {
	if key == "" {
		return fmt.Errorf("setting name is empty: give the setting a name")
	}
	return s.updateNow(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSettings).Put([]byte(key), []byte(value))
	})
}
