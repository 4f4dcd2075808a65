-- Shared by every regression file: the extension and a helper that shows an error's
-- SQLSTATE with its message, so that the expected output pins both.
CREATE EXTENSION hyperloglog;
CREATE FUNCTION sqlstate_of(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
