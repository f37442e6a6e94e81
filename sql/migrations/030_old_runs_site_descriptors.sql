-- The runs before run_site_descriptors (028) get the registry's site
-- descriptors as they are now, the best left to know, as 018 gave them the
-- orders as they were: read from sites at each download, their Sites sheet
-- moved with every change to the registry since.
INSERT INTO run_site_descriptors
SELECT r.id, s.merchant_id, s.url, s.descriptor
FROM runs r CROSS JOIN sites s
WHERE NOT EXISTS (SELECT 1 FROM run_site_descriptors k WHERE k.run_id = r.id);
