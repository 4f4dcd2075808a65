-- The hyperloglog extension's catalog, in a form two databases can be compared by:
-- every member object, and the definition of every function, operator, aggregate,
-- cast and operator class (names instead of oids).
\pset footer off
SELECT pg_describe_object(classid, objid, objsubid) AS member
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'hyperloglog')
ORDER BY 1;
SELECT p.oid::regprocedure AS function, p.prorettype::regtype, p.prosrc, p.probin,
       p.provolatile, p.proisstrict, p.proparallel, p.prokind,
       pg_get_expr(p.proargdefaults, 0) AS defaults
FROM pg_proc AS p JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
WHERE d.deptype = 'e' AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'hyperloglog')
ORDER BY p.oid::regprocedure::text;
SELECT o.oid::regoperator AS operator, o.oprcode, o.oprcom::regoperator, o.oprnegate::regoperator,
       o.oprcanhash, o.oprcanmerge, o.oprrest, o.oprjoin
FROM pg_operator AS o JOIN pg_depend AS d ON d.classid = 'pg_operator'::regclass AND d.objid = o.oid
WHERE d.deptype = 'e' AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'hyperloglog')
ORDER BY o.oid::regoperator::text;
SELECT a.aggfnoid::regprocedure AS aggregate, a.aggtransfn, a.aggfinalfn, a.aggcombinefn,
       a.aggserialfn, a.aggdeserialfn, a.aggtranstype::regtype, a.aggtransspace,
       a.aggfinalmodify, a.aggfinalextra, a.agginitval, a.aggkind, a.aggmtransfn,
       a.aggminvtransfn, a.aggmfinalfn, a.aggmtranstype::regtype, a.aggmtransspace,
       a.aggmfinalmodify, a.aggmfinalextra, a.aggminitval
FROM pg_aggregate AS a JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = a.aggfnoid
WHERE d.deptype = 'e' AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'hyperloglog')
ORDER BY a.aggfnoid::regprocedure::text;
SELECT c.castsource::regtype, c.casttarget::regtype, c.castfunc::regprocedure, c.castcontext,
       c.castmethod
FROM pg_cast AS c WHERE c.castsource::regtype::text LIKE 'hll%' OR c.casttarget::regtype::text LIKE 'hll%'
ORDER BY c.castsource::regtype::text, c.casttarget::regtype::text;
SELECT am.amname, opc.opcname, opc.opcdefault,
       (SELECT string_agg(amopstrategy || ':' || amopopr::regoperator, ' ' ORDER BY amopstrategy)
        FROM pg_amop WHERE amopfamily = opc.opcfamily) AS operators,
       (SELECT string_agg(amprocnum || ':' || amproc::regproc, ' ' ORDER BY amprocnum)
        FROM pg_amproc WHERE amprocfamily = opc.opcfamily) AS support
FROM pg_opclass AS opc JOIN pg_am AS am ON am.oid = opc.opcmethod
WHERE opc.opcintype IN ('hll'::regtype, 'ull'::regtype) ORDER BY 1, 2;
SELECT a.aggfnoid::regprocedure::text AS aggregate,
       pg_describe_object(d.refclassid, d.refobjid, 0) AS uses, d.deptype, count(*)
FROM pg_aggregate AS a
JOIN pg_depend AS e ON e.classid = 'pg_proc'::regclass AND e.objid = a.aggfnoid AND e.deptype = 'e'
JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = a.aggfnoid AND d.deptype <> 'e'
WHERE e.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'hyperloglog')
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
