package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// Endpoint returns the endpoint named slug, or an error wrapping app.ErrNotFound.
func (s *Store) Endpoint(slug string) (app.Endpoint, error) {
	var ep app.Endpoint
	err := s.viewNow(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketEndpoints).Get([]byte(slug))
		if v == nil {
			return fmt.Errorf("endpoint %q does not exist: add it with 'hooklens endpoint add --slug %s': %w", slug, slug, app.ErrNotFound)
		}
		return decodeEndpoint(slug, v, &ep)
	})
	return ep, err
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
	return s.updateNow(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEndpoints).Put([]byte(ep.Slug), v)
	})
}

// DeleteEndpoint removes the endpoint named slug, or returns an error
// wrapping app.ErrNotFound.
func (s *Store) DeleteEndpoint(slug string) error {
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
