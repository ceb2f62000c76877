package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hooklens/hooklens/app"
)

// Targets and connections are few and edited by hand: JSON values, keyed by
// target id (a decimal number from the bucket's sequence) and connection
// name. Secrets are kept as given; the file is private to the user (0600).
var (
	bucketTargets     = []byte("targets")     // id -> JSON app.Target
	bucketConnections = []byte("connections") // name -> JSON app.Connection
)

var _ app.DeliveryStore = (*Store)(nil)

// Target returns the target with id, or an error wrapping app.ErrNotFound.
func (s *Store) Target(id string) (app.Target, error) {
	var t app.Target
	err := s.viewNow(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTargets).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("target %q does not exist (deleted?): pick another or add it again: %w", id, app.ErrNotFound)
		}
		return decodeJSON("target", id, v, &t)
	})
	return t, err
}

// Targets returns every target sorted by name.
func (s *Store) Targets() ([]app.Target, error) {
	var out []app.Target
	err := s.viewNow(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTargets).ForEach(func(k, v []byte) error {
			var t app.Target
			if err := decodeJSON("target", string(k), v, &t); err != nil {
				s.skip()
				return nil
			}
			out = append(out, t)
			return nil
		})
	})
	slices.SortFunc(out, func(a, b app.Target) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, err
}

// PutTarget validates t and adds it (t.ID "" gets the next id) or replaces
// the target with t.ID. A zero CreatedAt is set to now.
func (s *Store) PutTarget(t *app.Target) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.updateNow(func(tx *bolt.Tx) error {
		if t.Connection != "" && tx.Bucket(bucketConnections).Get([]byte(t.Connection)) == nil {
			return fmt.Errorf("target %q uses connection %q, which does not exist: add the connection first: %w", t.Name, t.Connection, app.ErrNotFound)
		}
		b := tx.Bucket(bucketTargets)
		n := *t
		if n.ID == "" {
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			n.ID = strconv.FormatUint(seq, 10)
		}
		if n.CreatedAt.IsZero() {
			n.CreatedAt = time.Now()
		}
		v, err := json.Marshal(n)
		if err != nil {
			return fmt.Errorf("encoding target %q: %w", n.Name, err)
		}
		if err := b.Put([]byte(n.ID), v); err != nil {
			return err
		}
		*t = n // only once the write is sure to be part of the transaction
		return nil
	})
}

// DeleteTarget removes a target. Its deliveries stay, with their log.
func (s *Store) DeleteTarget(id string) error {
	return s.updateNow(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTargets)
		if b.Get([]byte(id)) == nil {
			return fmt.Errorf("target %q does not exist: %w", id, app.ErrNotFound)
		}
		return b.Delete([]byte(id))
	})
}

// Connection returns the connection named name, or an error wrapping
// app.ErrNotFound.
func (s *Store) Connection(name string) (app.Connection, error) {
	var c app.Connection
	err := s.viewNow(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketConnections).Get([]byte(name))
		if v == nil {
			return fmt.Errorf("connection %q does not exist: add it under Connections: %w", name, app.ErrNotFound)
		}
		return decodeJSON("connection", name, v, &c)
	})
	return c, err
}

// Connections returns every connection sorted by name (bbolt keeps keys sorted).
func (s *Store) Connections() ([]app.Connection, error) {
	var out []app.Connection
	err := s.viewNow(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketConnections).ForEach(func(k, v []byte) error {
			var c app.Connection
			if err := decodeJSON("connection", string(k), v, &c); err != nil {
				s.skip()
				return nil
			}
			out = append(out, c)
			return nil
		})
	})
	return out, err
}

// PutConnection validates c and adds or replaces the connection c.Name.
func (s *Store) PutConnection(c app.Connection) error {
	if err := c.Validate(); err != nil {
		return err
	}
	v, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encoding connection %q: %w", c.Name, err)
	}
	return s.updateNow(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketConnections).Put([]byte(c.Name), v)
	})
}

// DeleteConnection removes a connection no target uses.
func (s *Store) DeleteConnection(name string) error {
	return s.updateNow(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketConnections)
		if b.Get([]byte(name)) == nil {
			return fmt.Errorf("connection %q does not exist: %w", name, app.ErrNotFound)
		}
		var users []string
		err := tx.Bucket(bucketTargets).ForEach(func(k, v []byte) error {
			var t app.Target
			if err := decodeJSON("target", string(k), v, &t); err != nil {
				return err
			}
			if t.Connection == name {
				users = append(users, strconv.Quote(t.Name))
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return fmt.Errorf("connection %q is used by target %s: pick another connection for them first", name, strings.Join(users, ", "))
		}
		return b.Delete([]byte(name))
	})
}

func decodeJSON(what, key string, v []byte, into any) error {
	if err := json.Unmarshal(v, into); err != nil {
		return fmt.Errorf("%s %q is damaged in the store: delete it and add it again: %w", what, key, err)
	}
	return nil
}
