-- schemawright security probes: session-local helpers (pg_temp) shared by `schemawright verify` and the
-- generated pgTAP tests. Run inside a transaction that is rolled back; nothing here is permanent.

CREATE TEMP TABLE sw_fixture (
    label text PRIMARY KEY,
    table_name text NOT NULL,
    sent jsonb NOT NULL,
    stored jsonb NOT NULL,
    temporary boolean NOT NULL
);

-- A role that was granted nothing: what PUBLIC may do.
DO $sw$
BEGIN
    PERFORM set_config('sw.nobody', 'sw_nobody_' || substr(md5(random()::text), 1, 12), true);
    EXECUTE format('CREATE ROLE %I NOLOGIN', current_setting('sw.nobody'));
END
$sw$;

CREATE FUNCTION pg_temp.sw_key_columns(p_table text) RETURNS text[] LANGUAGE sql STABLE AS $sw$
    SELECT array_agg(a.attname::text ORDER BY k.ord)
    FROM pg_index i
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = format('public.%I', p_table)::regclass AND i.indisprimary
$sw$;

CREATE FUNCTION pg_temp.sw_key(p_table text, p_row jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $sw$
    SELECT jsonb_object_agg(k, p_row -> k) FROM unnest(pg_temp.sw_key_columns(p_table)) AS k
$sw$;

CREATE FUNCTION pg_temp.sw_row(p_label text) RETURNS jsonb LANGUAGE plpgsql STABLE AS $sw$
DECLARE
    v_row jsonb;
BEGIN
    SELECT stored INTO v_row FROM sw_fixture WHERE label = p_label;
    IF v_row IS NULL THEN
        RAISE EXCEPTION 'no fixture row %', p_label;
    END IF;
    RETURN v_row;
END
$sw$;

CREATE FUNCTION pg_temp.sw_val(p_label text, p_column text) RETURNS jsonb LANGUAGE sql STABLE AS $sw$
    SELECT pg_temp.sw_row(p_label) -> p_column
$sw$;

CREATE FUNCTION pg_temp.sw_text(p_label text, p_column text) RETURNS text LANGUAGE sql STABLE AS $sw$
    SELECT pg_temp.sw_row(p_label) ->> p_column
$sw$;

-- The primary-key predicate of a fixture row: "id" = '...'
CREATE FUNCTION pg_temp.sw_where(p_label text) RETURNS text LANGUAGE sql STABLE AS $sw$
    SELECT string_agg(format('%I = %L', k, f.stored ->> k), ' AND ')
    FROM sw_fixture f CROSS JOIN LATERAL unnest(pg_temp.sw_key_columns(f.table_name)) AS k
    WHERE f.label = p_label
$sw$;

-- INSERT of a row given as jsonb (generated and always-identity columns left to the table).
CREATE FUNCTION pg_temp.sw_insert_sql(p_table text, p_row jsonb) RETURNS text LANGUAGE sql STABLE AS $sw$
    SELECT CASE WHEN cols IS NULL THEN format('INSERT INTO public.%I DEFAULT VALUES', p_table)
           ELSE format('INSERT INTO public.%I (%s) SELECT %s FROM jsonb_populate_record(NULL::public.%I, %L::jsonb)',
                       p_table, cols, cols, p_table, p_row) END
    FROM (SELECT string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum) AS cols
          FROM pg_attribute a
          WHERE a.attrelid = format('public.%I', p_table)::regclass AND a.attnum > 0 AND NOT a.attisdropped
            AND a.attgenerated = '' AND a.attidentity <> 'a' AND p_row ? a.attname) AS c
$sw$;

-- A column an UPDATE can set to itself (the first one outside the primary key).
CREATE FUNCTION pg_temp.sw_update_column(p_table text) RETURNS text LANGUAGE sql STABLE AS $sw$
    SELECT a.attname::text FROM pg_attribute a
    WHERE a.attrelid = format('public.%I', p_table)::regclass AND a.attnum > 0 AND NOT a.attisdropped
      AND a.attgenerated = '' AND a.attidentity = ''
    ORDER BY a.attname::text = ANY(pg_temp.sw_key_columns(p_table)), a.attnum
    LIMIT 1
$sw$;

-- Insert a fixture row: the fixed values plus, for each other column, the first of its candidates that
-- the table accepts. A refused row advances the candidates of the columns that the failing constraint
-- reads (an odometer over those columns), so rows satisfy checks without knowing their semantics.
CREATE FUNCTION pg_temp.sw_build(p_label text, p_table text, p_fixed jsonb, p_candidates jsonb,
                                 p_constraints jsonb, p_temporary boolean) RETURNS jsonb
LANGUAGE plpgsql AS $sw$
DECLARE
    v_columns text[] := ARRAY(SELECT jsonb_object_keys(p_candidates));
    v_index jsonb := '{}';
    v_row jsonb;
    v_stored jsonb;
    v_failing text[];
    v_column text;
    v_constraint text;
    v_error text;
    v_advanced boolean;
BEGIN
    FOREACH v_column IN ARRAY v_columns LOOP
        v_index := v_index || jsonb_build_object(v_column, 0);
    END LOOP;
    FOR v_attempt IN 1..2000 LOOP
        v_row := p_fixed;
        FOREACH v_column IN ARRAY v_columns LOOP
            v_row := v_row || jsonb_build_object(v_column, p_candidates -> v_column -> (v_index ->> v_column)::int);
        END LOOP;
        BEGIN
            EXECUTE pg_temp.sw_insert_sql(p_table, v_row) || format(' RETURNING to_jsonb(%I.*)', p_table)
                INTO v_stored;
            INSERT INTO sw_fixture VALUES (p_label, p_table, v_row, v_stored, p_temporary);
            IF p_temporary THEN
                EXECUTE format('DELETE FROM public.%I WHERE %s', p_table, pg_temp.sw_where(p_label));
            END IF;
            RETURN v_stored;
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            GET STACKED DIAGNOSTICS v_error = MESSAGE_TEXT, v_constraint = CONSTRAINT_NAME, v_column = COLUMN_NAME;
            v_failing := CASE
                WHEN v_constraint <> '' AND p_constraints ? v_constraint
                    THEN ARRAY(SELECT jsonb_array_elements_text(p_constraints -> v_constraint))
                WHEN v_column <> '' THEN ARRAY[v_column]
                ELSE v_columns END;
            v_advanced := false;
            FOREACH v_column IN ARRAY ARRAY(SELECT c FROM unnest(v_failing) AS c WHERE c = ANY(v_columns)) LOOP
                IF (v_index ->> v_column)::int + 1 < jsonb_array_length(p_candidates -> v_column) THEN
                    v_index := v_index || jsonb_build_object(v_column, (v_index ->> v_column)::int + 1);
                    v_advanced := true;
                    EXIT;
                END IF;
                v_index := v_index || jsonb_build_object(v_column, 0);
            END LOOP;
            IF NOT v_advanced THEN
                RAISE EXCEPTION 'fixture row % of %: no candidate values are accepted (%)', p_label, p_table, v_error;
            END IF;
        END;
    END LOOP;
    RAISE EXCEPTION 'fixture row % of %: gave up after 2000 attempts', p_label, p_table;
END
$sw$;

-- Run p_sql as p_role with the given settings (app.current_user_id...) and keep its effects.
CREATE FUNCTION pg_temp.sw_as(p_role text, p_sql text, p_settings jsonb) RETURNS jsonb LANGUAGE plpgsql AS $sw$
DECLARE
    v_result jsonb;
    v_rows bigint;
    v_key text;
    v_value text;
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', p_role);
    FOR v_key, v_value IN SELECT key, value FROM jsonb_each_text(p_settings) LOOP
        PERFORM set_config(v_key, v_value, true);
    END LOOP;
    IF upper(ltrim(p_sql)) LIKE 'SELECT TO_JSONB(%' THEN  -- no backslash: immune to standard_conforming_strings
        EXECUTE p_sql INTO v_result;
    ELSE
        EXECUTE p_sql;
        GET DIAGNOSTICS v_rows = ROW_COUNT;
        v_result := to_jsonb(v_rows);
    END IF;
    RESET ROLE;
    FOR v_key IN SELECT key FROM jsonb_each_text(p_settings) LOOP
        PERFORM set_config(v_key, '', true);
    END LOOP;
    RETURN v_result;
END
$sw$;

-- Attempt p_sql as p_role and undo it: 'N row(s)', 'denied' (no privilege), 'refused by policy'
-- (row-level security) or 'error <SQLSTATE>: <message>'.
CREATE FUNCTION pg_temp.sw_try(p_role text, p_sql text, p_settings jsonb DEFAULT '{}') RETURNS text
LANGUAGE plpgsql AS $sw$
DECLARE
    v_result text;
BEGIN
    BEGIN
        v_result := pg_temp.sw_as(p_role, p_sql, p_settings)::text || ' row(s)';
        RAISE EXCEPTION USING ERRCODE = 'SWRB0';
    EXCEPTION
        WHEN SQLSTATE 'SWRB0' THEN
            RETURN v_result;
        WHEN insufficient_privilege THEN
            RETURN CASE WHEN SQLERRM LIKE '%row-level security%' THEN 'refused by policy' ELSE 'denied' END;
        WHEN foreign_key_violation THEN
            GET STACKED DIAGNOSTICS v_result = CONSTRAINT_NAME;
            RETURN 'foreign key violation: ' || v_result;
        WHEN OTHERS THEN
            RETURN 'error ' || SQLSTATE || ': ' || SQLERRM;
    END;
END
$sw$;

-- Run p_call (a SELECT of one text: a probe's steps) and undo everything it did: that text, or
-- 'error <SQLSTATE>: <message>' when it failed. The *_probe functions below are their *_steps run through this.
CREATE FUNCTION pg_temp.sw_undone(p_call text) RETURNS text LANGUAGE plpgsql AS $sw$
DECLARE
    v_result text;
BEGIN
    EXECUTE p_call INTO v_result;
    RAISE EXCEPTION USING ERRCODE = 'SWRB0';
EXCEPTION
    WHEN SQLSTATE 'SWRB0' THEN RETURN v_result;
    WHEN OTHERS THEN RETURN 'error ' || SQLSTATE || ': ' || SQLERRM;
END
$sw$;

-- Cross-tenant keys, attempted as the session user (no row-level security in the way): inserting A's row
-- that references B's parent must be refused by the composite key p_fk; then B's parent is deleted (its
-- ON DELETE may refuse: another of B's rows needs it) and A's rows of p_table must all be there still.
CREATE FUNCTION pg_temp.sw_cascade_steps(p_table text, p_tenant text, p_fk text, p_insert text, p_parent text,
                                         p_parent_b text, p_row_a text) RETURNS text LANGUAGE plpgsql AS $sw$
DECLARE
    v_tenant text := pg_temp.sw_text(p_row_a, p_tenant);
    v_count text := format('SELECT count(*) FROM public.%I WHERE %I::text = %L', p_table, p_tenant,
                           pg_temp.sw_text(p_row_a, p_tenant));
    v_before bigint;
    v_after bigint;
    v_constraint text;
    v_result text := 'ok';
BEGIN
    BEGIN
        EXECUTE p_insert;
        v_result := 'a row of tenant ' || v_tenant || ' references another tenant''s ' || p_parent || ' row';
    EXCEPTION WHEN foreign_key_violation THEN
        GET STACKED DIAGNOSTICS v_constraint = CONSTRAINT_NAME;
        IF v_constraint <> p_fk THEN
            v_result := 'refused by ' || v_constraint || ', expected ' || p_fk;
        END IF;
    END;
    IF v_result = 'ok' THEN
        EXECUTE v_count INTO v_before;
        BEGIN
            EXECUTE format('DELETE FROM public.%I WHERE %s', p_parent, pg_temp.sw_where(p_parent_b));
        EXCEPTION WHEN foreign_key_violation OR restrict_violation THEN
            NULL;  -- B's own rows hold on to it: nothing is deleted at all
        END;
        EXECUTE v_count INTO v_after;
        IF v_before = 0 THEN
            v_result := 'tenant ' || v_tenant || ' has no ' || p_table || ' row to lose';
        ELSIF v_after <> v_before THEN
            v_result := format('deleting B''s %s row deleted %s of A''s %s rows', p_parent, v_before - v_after,
                               p_table);
        END IF;
    END IF;
    RETURN v_result;
END
$sw$;

CREATE FUNCTION pg_temp.sw_cascade_probe(p_table text, p_tenant text, p_fk text, p_insert text, p_parent text,
                                         p_parent_b text, p_row_a text)
RETURNS text LANGUAGE sql AS $sw$
    SELECT pg_temp.sw_undone(format('SELECT pg_temp.sw_cascade_steps(%L, %L, %L, %L, %L, %L, %L)',
                                    p_table, p_tenant, p_fk, p_insert, p_parent, p_parent_b, p_row_a))
$sw$;

-- 'allowed' when p_sql passes the privilege checks (even if it then fails for another reason).
CREATE FUNCTION pg_temp.sw_privilege(p_role text, p_sql text) RETURNS text LANGUAGE sql AS $sw$
    SELECT CASE pg_temp.sw_try(p_role, p_sql) WHEN 'denied' THEN 'denied' ELSE 'allowed' END
$sw$;

CREATE FUNCTION pg_temp.sw_redact(p_row jsonb, p_columns text[]) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $sw$
DECLARE
    v_row jsonb := p_row;
    v_column text;
BEGIN
    FOREACH v_column IN ARRAY p_columns LOOP
        IF jsonb_typeof(v_row -> v_column) NOT IN ('null') THEN
            v_row := jsonb_set(v_row, ARRAY[v_column], '"[redacted]"');
        END IF;
    END LOOP;
    RETURN v_row;
END
$sw$;

-- INSERT, UPDATE and DELETE one row as p_role: each must leave exactly one audit row with the row's old
-- and new values (personal data redacted), the database login and the application user.
CREATE FUNCTION pg_temp.sw_audit_steps(p_role text, p_table text, p_label text, p_settings jsonb,
                                       p_redacted text[], p_audit text) RETURNS text LANGUAGE plpgsql AS $sw$
DECLARE
    v_row jsonb := pg_temp.sw_row(p_label);
    v_where text := pg_temp.sw_where(p_label);
    v_key jsonb := pg_temp.sw_key(p_table, pg_temp.sw_row(p_label));
    v_column text := pg_temp.sw_update_column(p_table);
    v_count text := format('SELECT count(*) FROM public.%I WHERE table_name = %L AND row_key = %L::jsonb '
                           'AND operation = $1', p_audit, p_table, pg_temp.sw_key(p_table, pg_temp.sw_row(p_label)));
    v_read text := format('SELECT to_jsonb(t) FROM public.%I AS t WHERE %s', p_table, pg_temp.sw_where(p_label));
    v_op text;
    v_sql text;
    v_before jsonb;
    v_after jsonb;
    v_entry jsonb;
    v_n0 bigint;
    v_n1 bigint;
    v_result text := 'ok';
BEGIN
    FOREACH v_op IN ARRAY ARRAY['INSERT', 'UPDATE', 'DELETE'] LOOP
        v_sql := CASE v_op
            WHEN 'INSERT' THEN pg_temp.sw_insert_sql(p_table, v_row)
            WHEN 'UPDATE' THEN format('UPDATE public.%I SET %I = %I WHERE %s', p_table, v_column, v_column, v_where)
            ELSE format('DELETE FROM public.%I WHERE %s', p_table, v_where) END;
        EXECUTE v_read INTO v_before;
        EXECUTE v_count INTO v_n0 USING v_op;
        IF pg_temp.sw_as(p_role, v_sql, p_settings) <> '1' THEN
            v_result := v_op || ' did not change exactly one row';
            EXIT;
        END IF;
        EXECUTE v_read INTO v_after;
        EXECUTE v_count INTO v_n1 USING v_op;
        IF v_n1 - v_n0 <> 1 THEN
            v_result := format('%s left %s audit rows, expected 1', v_op, v_n1 - v_n0);
            EXIT;
        END IF;
        EXECUTE format('SELECT to_jsonb(a) FROM public.%I AS a WHERE table_name = %L AND row_key = %L::jsonb '
                       'AND operation = %L ORDER BY occurred_at DESC LIMIT 1', p_audit, p_table, v_key, v_op)
            INTO v_entry;
        IF v_entry -> 'old_values' IS DISTINCT FROM coalesce(pg_temp.sw_redact(v_before, p_redacted), 'null') THEN
            v_result := v_op || ': old values differ: ' || (v_entry ->> 'old_values');
        ELSIF v_entry -> 'new_values' IS DISTINCT FROM coalesce(pg_temp.sw_redact(v_after, p_redacted), 'null') THEN
            v_result := v_op || ': new values differ: ' || (v_entry ->> 'new_values');
        ELSIF v_entry ->> 'db_user' IS DISTINCT FROM session_user::text THEN
            v_result := v_op || ': db_user is ' || (v_entry ->> 'db_user');
        ELSIF v_entry ->> 'app_user' IS DISTINCT FROM NULLIF(p_settings ->> 'app.current_user_id', '') THEN
            v_result := v_op || ': app_user is ' || coalesce(v_entry ->> 'app_user', 'NULL');
        END IF;
        EXIT WHEN v_result <> 'ok';
    END LOOP;
    RETURN v_result;
END
$sw$;

CREATE FUNCTION pg_temp.sw_audit_probe(p_role text, p_table text, p_label text, p_settings jsonb,
                                       p_redacted text[], p_audit text)
RETURNS text LANGUAGE sql AS $sw$
    SELECT pg_temp.sw_undone(format('SELECT pg_temp.sw_audit_steps(%L, %L, %L, %L::jsonb, %L::text[], %L)',
                                    p_role, p_table, p_label, p_settings, p_redacted, p_audit))
$sw$;

-- Encrypt p_plain into a row's column with a key set for this session only, then: the stored bytes do not
-- contain the plaintext, decrypting with the key returns it, without the key or with another it fails.
CREATE FUNCTION pg_temp.sw_encryption_steps(p_table text, p_column text, p_label text, p_plain text)
RETURNS text LANGUAGE plpgsql AS $sw$
DECLARE
    v_where text := pg_temp.sw_where(p_label);
    v_key text := gen_random_uuid()::text;
    v_cipher bytea;
    v_result text := 'ok';
BEGIN
    PERFORM set_config('app.encryption_key', v_key, true);
    EXECUTE format('UPDATE public.%I SET %I = public.fn_encrypt(%L) WHERE %s', p_table, p_column, p_plain, v_where);
    EXECUTE format('SELECT %I FROM public.%I WHERE %s', p_column, p_table, v_where) INTO v_cipher;
    IF position(convert_to(p_plain, 'UTF8') IN v_cipher) > 0 THEN
        v_result := 'the stored bytes contain the plaintext';
    ELSIF position(convert_to(v_key, 'UTF8') IN v_cipher) > 0 THEN
        v_result := 'the stored bytes contain the key';
    ELSIF public.fn_decrypt(v_cipher) IS DISTINCT FROM p_plain THEN
        v_result := 'decrypting with the key does not return the plaintext';
    END IF;
    IF v_result = 'ok' THEN
        PERFORM set_config('app.encryption_key', '', true);
        BEGIN
            PERFORM public.fn_decrypt(v_cipher);
            v_result := 'decrypted without a key';
        EXCEPTION WHEN invalid_parameter_value THEN
            NULL;
        END;
    END IF;
    IF v_result = 'ok' THEN
        PERFORM set_config('app.encryption_key', gen_random_uuid()::text, true);
        BEGIN
            PERFORM public.fn_decrypt(v_cipher);
            v_result := 'decrypted with another key';
        EXCEPTION WHEN OTHERS THEN
            NULL;
        END;
    END IF;
    RETURN v_result;
END
$sw$;

CREATE FUNCTION pg_temp.sw_encryption_probe(p_table text, p_column text, p_label text, p_plain text)
RETURNS text LANGUAGE sql AS $sw$
    SELECT pg_temp.sw_undone(format('SELECT pg_temp.sw_encryption_steps(%L, %L, %L, %L)',
                                    p_table, p_column, p_label, p_plain))
$sw$;

-- Read a row through a masked view as p_role: personal data is masked, secrets and ciphertext are absent.
CREATE FUNCTION pg_temp.sw_mask_steps(p_role text, p_view text, p_label text, p_masked text[], p_absent text[],
                                      p_settings jsonb) RETURNS text LANGUAGE plpgsql AS $sw$
DECLARE
    v_row jsonb := pg_temp.sw_row(p_label);
    v_seen jsonb;
    v_column text;
    v_result text := 'ok';
BEGIN
    v_seen := pg_temp.sw_as(p_role, format('SELECT to_jsonb(v) FROM public.%I AS v WHERE %s', p_view,
                                           pg_temp.sw_where(p_label)), p_settings);
    IF v_seen IS NULL THEN
        v_result := 'the row is not visible through the view';
    END IF;
    FOREACH v_column IN ARRAY p_absent LOOP
        IF v_result = 'ok' AND v_seen ? v_column THEN
            v_result := v_column || ' is visible';
        END IF;
    END LOOP;
    FOREACH v_column IN ARRAY p_masked LOOP
        IF v_result = 'ok' AND length(v_row ->> v_column) > 1
                AND strpos(coalesce(v_seen ->> v_column, ''), v_row ->> v_column) > 0 THEN
            v_result := v_column || ' is not masked';
        END IF;
    END LOOP;
    RETURN v_result;
END
$sw$;

CREATE FUNCTION pg_temp.sw_mask_probe(p_role text, p_view text, p_label text, p_masked text[],
                                      p_absent text[], p_settings jsonb)
RETURNS text LANGUAGE sql AS $sw$
    SELECT pg_temp.sw_undone(format('SELECT pg_temp.sw_mask_steps(%L, %L, %L, %L::text[], %L::text[], %L::jsonb)',
                                    p_role, p_view, p_label, p_masked, p_absent, p_settings))
$sw$;

-- Erase one data subject as p_role: none of its personal values remain, another subject is untouched.
CREATE FUNCTION pg_temp.sw_erasure_steps(p_role text, p_function text, p_table text, p_key text, p_erased text,
                                         p_kept text, p_columns text[]) RETURNS text LANGUAGE plpgsql AS $sw$
DECLARE
    v_read text := 'SELECT to_jsonb(t) FROM public.%I AS t WHERE %s';
    v_before jsonb := pg_temp.sw_row(p_erased);
    v_after jsonb;
    v_other jsonb;
    v_column text;
    v_result text := 'ok';
BEGIN
    PERFORM pg_temp.sw_as(p_role, format('SELECT public.%I(%L)', p_function,
                                         pg_temp.sw_text(p_erased, p_key)), '{}');
    EXECUTE format(v_read, p_table, pg_temp.sw_where(p_erased)) INTO v_after;
    EXECUTE format(v_read, p_table, pg_temp.sw_where(p_kept)) INTO v_other;
    FOREACH v_column IN ARRAY p_columns LOOP
        IF v_before ->> v_column <> '' AND strpos(coalesce(v_after ->> v_column, ''), v_before ->> v_column) > 0 THEN
            v_result := v_column || ' still holds the erased value';
        ELSIF v_other -> v_column IS DISTINCT FROM pg_temp.sw_val(p_kept, v_column) THEN
            v_result := v_column || ' of another subject changed';
        END IF;
        EXIT WHEN v_result <> 'ok';
    END LOOP;
    RETURN v_result;
END
$sw$;

CREATE FUNCTION pg_temp.sw_erasure_probe(p_role text, p_function text, p_table text, p_key text,
                                         p_erased text, p_kept text, p_columns text[])
RETURNS text LANGUAGE sql AS $sw$
    SELECT pg_temp.sw_undone(format('SELECT pg_temp.sw_erasure_steps(%L, %L, %L, %L, %L, %L, %L::text[])',
                                    p_role, p_function, p_table, p_key, p_erased, p_kept, p_columns))
$sw$;

-- Every fixture row reads back exactly as stored, and every text value exactly as it was sent.
CREATE FUNCTION pg_temp.sw_roundtrip_probe() RETURNS text LANGUAGE plpgsql AS $sw$
DECLARE
    v_fixture record;
    v_now jsonb;
    v_column text;
BEGIN
    FOR v_fixture IN SELECT * FROM sw_fixture WHERE NOT temporary ORDER BY label LOOP
        EXECUTE format('SELECT to_jsonb(t) FROM public.%I AS t WHERE %s', v_fixture.table_name,
                       pg_temp.sw_where(v_fixture.label)) INTO v_now;
        IF v_now IS DISTINCT FROM v_fixture.stored THEN
            RETURN v_fixture.label || ' reads back differently';
        END IF;
        FOR v_column IN
            SELECT a.attname::text FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
            WHERE a.attrelid = format('public.%I', v_fixture.table_name)::regclass AND a.attnum > 0
              AND ty.typname IN ('text', 'varchar', 'citext')
              AND jsonb_typeof(v_fixture.sent -> a.attname::text) = 'string'
        LOOP
            IF v_now ->> v_column IS DISTINCT FROM v_fixture.sent ->> v_column THEN
                RETURN format('%s.%s: sent %s, stored %s', v_fixture.label, v_column, v_fixture.sent -> v_column,
                              v_now -> v_column);
            END IF;
        END LOOP;
    END LOOP;
    RETURN 'ok';
END
$sw$;
