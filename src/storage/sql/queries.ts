// Every statement a SQL store runs, by name, in the subset SQLite and PostgreSQL share. Parameters are positional
// `?` (a PostgreSQL driver numbers them: `$1`, `$2`, ...). Each lookup is served by a primary key or an index in
// schema.ts, so no request's cost grows with what else is stored.
export const SQL = {
  appliedMigrations: `SELECT version FROM schema_migrations ORDER BY version`,
  recordMigration: `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,

  getRepository: `SELECT * FROM repositories WHERE registry_id = ? AND repository_name = ?`,
  listRepositories: `SELECT * FROM repositories WHERE registry_id = ? AND repository_name > ? ORDER BY repository_name LIMIT ?`,
  countRepositories: `SELECT COUNT(*) AS n FROM repositories WHERE registry_id = ?`,
  insertRepository: `INSERT INTO repositories (registry_id, repository_name, created_at, image_tag_mutability,
      image_tag_mutability_exclusion_filters, scan_on_push, encryption_type, kms_key)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  deleteRepository: `DELETE FROM repositories WHERE registry_id = ? AND repository_name = ?`,
  updateRepositorySettings: `UPDATE repositories SET image_tag_mutability = ?, image_tag_mutability_exclusion_filters = ?, scan_on_push = ?
    WHERE registry_id = ? AND repository_name = ?`,
  upsertRepositoryTag: `INSERT INTO repository_tags (registry_id, repository_name, tag_key, tag_value) VALUES (?, ?, ?, ?)
    ON CONFLICT (registry_id, repository_name, tag_key) DO UPDATE SET tag_value = excluded.tag_value`,
  deleteRepositoryTag: `DELETE FROM repository_tags WHERE registry_id = ? AND repository_name = ? AND tag_key = ?`,
  countRepositoryTags: `SELECT COUNT(*) AS n FROM repository_tags WHERE registry_id = ? AND repository_name = ?`,
  insertRepositoryTag: `INSERT INTO repository_tags (registry_id, repository_name, tag_key, tag_value) VALUES (?, ?, ?, ?)`,
  listRepositoryTags: `SELECT tag_key, tag_value FROM repository_tags WHERE registry_id = ? AND repository_name = ? ORDER BY tag_key`,

  getUpload: `SELECT * FROM layer_uploads WHERE registry_id = ? AND upload_id = ?`,
  countUploads: `SELECT COUNT(*) AS n FROM layer_uploads WHERE registry_id = ? AND repository_name = ?`,
  listRepositoryUploads: `SELECT upload_id FROM layer_uploads WHERE registry_id = ? AND repository_name = ?`,
  listIdleUploads: `SELECT registry_id, upload_id FROM layer_uploads WHERE touched_at < ? ORDER BY touched_at LIMIT ?`,
  insertUpload: `INSERT INTO layer_uploads (registry_id, upload_id, repository_name, created_at, touched_at, committed_bytes,
      part_count, last_part_first, last_part_last, smallest_earlier_part)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  /** A part counts only while the upload is not being completed. */
  updateUpload: `UPDATE layer_uploads SET touched_at = ?, committed_bytes = ?, part_count = ?, last_part_first = ?,
      last_part_last = ?, smallest_earlier_part = ?
    WHERE registry_id = ? AND upload_id = ?
      AND NOT EXISTS (SELECT 1 FROM layer_completions c WHERE c.registry_id = layer_uploads.registry_id AND c.upload_id = layer_uploads.upload_id)`,
  deleteUpload: `DELETE FROM layer_uploads WHERE registry_id = ? AND upload_id = ?`,

  getBlob: `SELECT size FROM blobs WHERE registry_id = ? AND digest = ?`,
  insertBlob: `INSERT INTO blobs (registry_id, digest, size) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
  deleteBlob: `DELETE FROM blobs WHERE registry_id = ? AND digest = ?`,
  /** Layers of the repository that no other repository of the registry has. */
  listLayersOnlyIn: `SELECT l.digest FROM repository_layers l
    WHERE l.registry_id = ? AND l.repository_name = ?
      AND NOT EXISTS (SELECT 1 FROM repository_layers o
        WHERE o.registry_id = l.registry_id AND o.digest = l.digest AND o.repository_name <> l.repository_name)`,
  isBlobUsed: `SELECT 1 AS used FROM repository_layers WHERE registry_id = ? AND digest = ? LIMIT 1`,
  getLayer: `SELECT b.size, l.media_type FROM repository_layers l
    JOIN blobs b ON b.registry_id = l.registry_id AND b.digest = l.digest
    WHERE l.registry_id = ? AND l.repository_name = ? AND l.digest = ?`,
  insertLayer: `INSERT INTO repository_layers (registry_id, repository_name, digest, media_type) VALUES (?, ?, ?, NULL)
    ON CONFLICT DO NOTHING`,
  setLayerMediaType: `UPDATE repository_layers SET media_type = ? WHERE registry_id = ? AND repository_name = ? AND digest = ?`,

  listCompletions: `SELECT * FROM layer_completions`,
  getCompletion: `SELECT * FROM layer_completions WHERE registry_id = ? AND upload_id = ?`,
  insertCompletion: `INSERT INTO layer_completions (registry_id, upload_id, repository_name, layer_digest, layer_size)
    VALUES (?, ?, ?, ?, ?)`,
  deleteCompletion: `DELETE FROM layer_completions WHERE registry_id = ? AND upload_id = ?`,

  listReclaimable: `SELECT path FROM reclaimable_files WHERE path > ? ORDER BY path LIMIT ?`,
  insertReclaimable: `INSERT INTO reclaimable_files (path) VALUES (?) ON CONFLICT DO NOTHING`,
  deleteReclaimable: `DELETE FROM reclaimable_files WHERE path = ?`,

  getImage: `SELECT * FROM images WHERE registry_id = ? AND repository_name = ? AND image_digest = ?`,
  countImages: `SELECT COUNT(*) AS n FROM images WHERE registry_id = ? AND repository_name = ?`,
  insertImage: `INSERT INTO images (registry_id, repository_name, image_digest, image_manifest, image_manifest_media_type,
      image_pushed_at, image_size_in_bytes, artifact_media_type, subject_digest)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  /** A page of images by digest with an image status (ANY, or the status at a given time); the tag filter is one of the three below. */
  listImages: `SELECT image_digest, image_manifest_media_type, image_pushed_at, image_size_in_bytes, artifact_media_type,
      subject_digest, last_recorded_pull_time, image_storage_class, last_archived_at, last_activated_at
    FROM images i WHERE registry_id = ? AND repository_name = ? AND image_digest > ?
      AND (? = 'ANY' OR ? = CASE WHEN image_storage_class = 'ARCHIVE' THEN 'ARCHIVED' WHEN last_activated_at > ? THEN 'ACTIVATING' ELSE 'ACTIVE' END) ORDER BY image_digest LIMIT ?`,
  listTaggedImages: `SELECT image_digest, image_manifest_media_type, image_pushed_at, image_size_in_bytes, artifact_media_type,
      subject_digest, last_recorded_pull_time, image_storage_class, last_archived_at, last_activated_at
    FROM images i WHERE registry_id = ? AND repository_name = ? AND image_digest > ?
      AND (? = 'ANY' OR ? = CASE WHEN image_storage_class = 'ARCHIVE' THEN 'ARCHIVED' WHEN last_activated_at > ? THEN 'ACTIVATING' ELSE 'ACTIVE' END)
      AND EXISTS (SELECT 1 FROM image_tags t WHERE t.registry_id = i.registry_id AND t.repository_name = i.repository_name AND t.image_digest = i.image_digest)
    ORDER BY image_digest LIMIT ?`,
  listUntaggedImages: `SELECT image_digest, image_manifest_media_type, image_pushed_at, image_size_in_bytes, artifact_media_type,
      subject_digest, last_recorded_pull_time, image_storage_class, last_archived_at, last_activated_at
    FROM images i WHERE registry_id = ? AND repository_name = ? AND image_digest > ?
      AND (? = 'ANY' OR ? = CASE WHEN image_storage_class = 'ARCHIVE' THEN 'ARCHIVED' WHEN last_activated_at > ? THEN 'ACTIVATING' ELSE 'ACTIVE' END)
      AND NOT EXISTS (SELECT 1 FROM image_tags t WHERE t.registry_id = i.registry_id AND t.repository_name = i.repository_name AND t.image_digest = i.image_digest)
    ORDER BY image_digest LIMIT ?`,
  /** A page of the manifests whose subject is a digest, by digest. */
  listReferrers: `SELECT image_digest FROM images
    WHERE registry_id = ? AND repository_name = ? AND subject_digest = ? AND image_digest > ? ORDER BY image_digest LIMIT ?`,
  listTags: `SELECT image_tag FROM image_tags WHERE registry_id = ? AND repository_name = ? AND image_tag > ? ORDER BY image_tag LIMIT ?`,
  listImageTags: `SELECT image_tag FROM image_tags WHERE registry_id = ? AND repository_name = ? AND image_digest = ? ORDER BY image_tag`,
  /** Pulls move the time forward only, and at most once per resolution: a pull is not a write every time. */
  recordPull: `UPDATE images SET last_recorded_pull_time = ?
    WHERE registry_id = ? AND repository_name = ? AND image_digest = ? AND (last_recorded_pull_time IS NULL OR last_recorded_pull_time <= ?)`,
  archiveImage: `UPDATE images SET image_storage_class = 'ARCHIVE', last_archived_at = ?
    WHERE registry_id = ? AND repository_name = ? AND image_digest = ?`,
  /** An archived image's scan findings are not kept: a restored image is scanned afresh. */
  deleteImageScan: `DELETE FROM image_scans WHERE registry_id = ? AND repository_name = ? AND image_digest = ?`,
  /** A restore: standard storage again, complete at the given time. */
  activateImage: `UPDATE images SET image_storage_class = 'STANDARD', last_activated_at = ?
    WHERE registry_id = ? AND repository_name = ? AND image_digest = ?`,
  deleteImage: `DELETE FROM images WHERE registry_id = ? AND repository_name = ? AND image_digest = ?`,
  deleteTag: `DELETE FROM image_tags WHERE registry_id = ? AND repository_name = ? AND image_tag = ?`,
  /** Another image of the repository (a list or index) that references the digest. */
  referencingImage: `SELECT image_digest FROM image_references
    WHERE registry_id = ? AND repository_name = ? AND referenced_digest = ? AND image_digest <> ? LIMIT 1`,
  /** A layer of the repository that none of its images references any more. */
  deleteUnreferencedLayer: `DELETE FROM repository_layers WHERE registry_id = ? AND repository_name = ? AND digest = ?
    AND NOT EXISTS (SELECT 1 FROM image_references r
      WHERE r.registry_id = repository_layers.registry_id AND r.repository_name = repository_layers.repository_name
        AND r.referenced_digest = repository_layers.digest)`,
  listImageReferences: `SELECT referenced_digest FROM image_references
    WHERE registry_id = ? AND repository_name = ? AND image_digest = ? ORDER BY referenced_digest`,
  insertImageReference: `INSERT INTO image_references (registry_id, repository_name, image_digest, referenced_digest)
    VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  listReferencingImages: `SELECT image_digest FROM image_references
    WHERE registry_id = ? AND repository_name = ? AND referenced_digest = ? AND image_digest <> referenced_digest ORDER BY image_digest`,
  isReferenced: `SELECT 1 AS used FROM image_references
    WHERE registry_id = ? AND repository_name = ? AND referenced_digest = ? LIMIT 1`,
  resolveTag: `SELECT image_digest FROM image_tags WHERE registry_id = ? AND repository_name = ? AND image_tag = ?`,
  putTag: `INSERT INTO image_tags (registry_id, repository_name, image_tag, image_digest) VALUES (?, ?, ?, ?)
    ON CONFLICT (registry_id, repository_name, image_tag) DO UPDATE SET image_digest = excluded.image_digest`,

  getRepositoryPolicy: `SELECT policy_text FROM repository_policies WHERE registry_id = ? AND repository_name = ?`,
  putRepositoryPolicy: `INSERT INTO repository_policies (registry_id, repository_name, policy_text) VALUES (?, ?, ?)
    ON CONFLICT (registry_id, repository_name) DO UPDATE SET policy_text = excluded.policy_text`,
  deleteRepositoryPolicy: `DELETE FROM repository_policies WHERE registry_id = ? AND repository_name = ?`,
  getRegistryPolicy: `SELECT policy_text FROM registry_policies WHERE registry_id = ?`,
  putRegistryPolicy: `INSERT INTO registry_policies (registry_id, policy_text) VALUES (?, ?)
    ON CONFLICT (registry_id) DO UPDATE SET policy_text = excluded.policy_text`,
  deleteRegistryPolicy: `DELETE FROM registry_policies WHERE registry_id = ?`,
  getLifecyclePolicy: `SELECT * FROM lifecycle_policies WHERE registry_id = ? AND repository_name = ?`,
  /** A new policy has not been evaluated yet. */
  putLifecyclePolicy: `INSERT INTO lifecycle_policies (registry_id, repository_name, lifecycle_policy_text, last_evaluated_at) VALUES (?, ?, ?, NULL)
    ON CONFLICT (registry_id, repository_name) DO UPDATE SET lifecycle_policy_text = excluded.lifecycle_policy_text, last_evaluated_at = NULL`,
  deleteLifecyclePolicy: `DELETE FROM lifecycle_policies WHERE registry_id = ? AND repository_name = ?`,
  /** Only if the policy evaluated is still the one stored. */
  markLifecycleEvaluated: `UPDATE lifecycle_policies SET last_evaluated_at = ?
    WHERE registry_id = ? AND repository_name = ? AND lifecycle_policy_text = ?`,
  /** Policies not evaluated since `cutoff`, a page at a time by registry and repository. */
  listDueLifecyclePolicies: `SELECT * FROM lifecycle_policies
    WHERE (registry_id, repository_name) > (?, ?) AND (last_evaluated_at IS NULL OR last_evaluated_at <= ?)
    ORDER BY registry_id, repository_name LIMIT ?`,

  getAccountSetting: `SELECT setting_value FROM account_settings WHERE registry_id = ? AND setting_name = ?`,
  putAccountSetting: `INSERT INTO account_settings (registry_id, setting_name, setting_value) VALUES (?, ?, ?)
    ON CONFLICT (registry_id, setting_name) DO UPDATE SET setting_value = excluded.setting_value`,
  getPullTimeUpdateExclusion: `SELECT created_at FROM pull_time_update_exclusions WHERE registry_id = ? AND principal_arn = ?`,
  countPullTimeUpdateExclusions: `SELECT COUNT(*) AS n FROM pull_time_update_exclusions WHERE registry_id = ?`,
  insertPullTimeUpdateExclusion: `INSERT INTO pull_time_update_exclusions (registry_id, principal_arn, created_at) VALUES (?, ?, ?)`,
  deletePullTimeUpdateExclusion: `DELETE FROM pull_time_update_exclusions WHERE registry_id = ? AND principal_arn = ?`,
  listPullTimeUpdateExclusions: `SELECT principal_arn FROM pull_time_update_exclusions WHERE registry_id = ? AND principal_arn > ?
    ORDER BY principal_arn LIMIT ?`,

  getSigningConfiguration: `SELECT rules FROM signing_configurations WHERE registry_id = ?`,
  putSigningConfiguration: `INSERT INTO signing_configurations (registry_id, rules, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (registry_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at`,
  deleteSigningConfiguration: `DELETE FROM signing_configurations WHERE registry_id = ?`,

  insertImageSigningProfile: `INSERT INTO image_signing_profiles (registry_id, repository_name, image_digest, signing_profile_arn) VALUES (?, ?, ?, ?)`,
  listImageSigningProfiles: `SELECT signing_profile_arn FROM image_signing_profiles WHERE registry_id = ? AND repository_name = ? AND image_digest = ?
    ORDER BY signing_profile_arn`,
  setSignedBy: `UPDATE images SET signed_by = ? WHERE registry_id = ? AND repository_name = ? AND image_digest = ?`,
  /** The profile versions of the signatures whose subject is the image (images_signatures). */
  listSignedBy: `SELECT DISTINCT signed_by FROM images WHERE registry_id = ? AND repository_name = ? AND subject_digest = ? AND signed_by IS NOT NULL`,

  getSecret: `SELECT value FROM secrets WHERE name = ?`,
  insertSecret: `INSERT INTO secrets (name, value) VALUES (?, ?)`,

  getImport: `SELECT digest FROM imports WHERE source = ?`,
  insertImport: `INSERT INTO imports (source, digest, imported_at) VALUES (?, ?, ?)`,

  getRegistryScanningConfiguration: `SELECT scan_type, rules FROM registry_scanning_configurations WHERE registry_id = ?`,
  putRegistryScanningConfiguration: `INSERT INTO registry_scanning_configurations (registry_id, scan_type, rules) VALUES (?, ?, ?)
    ON CONFLICT (registry_id) DO UPDATE SET scan_type = excluded.scan_type, rules = excluded.rules`,
  getImageScan: `SELECT * FROM image_scans WHERE registry_id = ? AND repository_name = ? AND image_digest = ?`,
  /** A new scan replaces the image's last one (deleted first, with its findings: REPLACE would not cascade). */
  insertImageScan: `INSERT INTO image_scans (registry_id, repository_name, image_digest, scan_type, scan_status, status_description, started_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`,
  finishImageScan: `UPDATE image_scans SET scan_status = ?, status_description = ?, completed_at = ?, vulnerability_source_updated_at = ?,
      finding_severity_counts = ?
    WHERE registry_id = ? AND repository_name = ? AND image_digest = ? AND started_at = ? AND scan_status = 'IN_PROGRESS'`,
  insertImageScanFinding: `INSERT INTO image_scan_findings (registry_id, repository_name, image_digest, finding_index, finding) VALUES (?, ?, ?, ?, ?)`,
  listImageScanFindings: `SELECT finding_index, finding FROM image_scan_findings
    WHERE registry_id = ? AND repository_name = ? AND image_digest = ? AND finding_index > ? ORDER BY finding_index LIMIT ?`,
  /** Scans a stopped server left under way, to resume (image_scans_in_progress). */
  listScansInProgress: `SELECT registry_id, repository_name, image_digest, started_at FROM image_scans
    WHERE scan_status = 'IN_PROGRESS' AND (registry_id, repository_name, image_digest) > (?, ?, ?)
    ORDER BY registry_id, repository_name, image_digest LIMIT ?`,

  getCreationTemplate: `SELECT * FROM repository_creation_templates WHERE registry_id = ? AND prefix = ?`,
  countCreationTemplates: `SELECT COUNT(*) AS n FROM repository_creation_templates WHERE registry_id = ?`,
  insertCreationTemplate: `INSERT INTO repository_creation_templates (registry_id, prefix, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
  updateCreationTemplate: `UPDATE repository_creation_templates SET settings = ?, updated_at = ? WHERE registry_id = ? AND prefix = ?`,
  deleteCreationTemplate: `DELETE FROM repository_creation_templates WHERE registry_id = ? AND prefix = ?`,
  listCreationTemplates: `SELECT * FROM repository_creation_templates WHERE registry_id = ? AND prefix > ? ORDER BY prefix LIMIT ?`,

  getReplicationConfiguration: `SELECT rules FROM replication_configurations WHERE registry_id = ?`,
  putReplicationConfiguration: `INSERT INTO replication_configurations (registry_id, rules) VALUES (?, ?)
    ON CONFLICT (registry_id) DO UPDATE SET rules = excluded.rules`,
  /** A copy asked for again starts over, whatever became of the last attempt. */
  requestReplication: `INSERT INTO image_replications
      (registry_id, repository_name, image_digest, destination_region, destination_registry_id, status, failure_code, attempt)
    VALUES (?, ?, ?, ?, ?, 'IN_PROGRESS', NULL, 1)
    ON CONFLICT (registry_id, repository_name, image_digest, destination_region, destination_registry_id)
    DO UPDATE SET status = 'IN_PROGRESS', failure_code = NULL, attempt = attempt + 1`,
  finishReplication: `UPDATE image_replications SET status = ?, failure_code = ?
    WHERE registry_id = ? AND repository_name = ? AND image_digest = ? AND destination_region = ? AND destination_registry_id = ?
      AND attempt = ? AND status = 'IN_PROGRESS'`,
  listImageReplications: `SELECT * FROM image_replications WHERE registry_id = ? AND repository_name = ? AND image_digest = ?
    ORDER BY destination_region, destination_registry_id`,
  /** Copies under way (image_replications_in_progress). */
  listReplicationsInProgress: `SELECT * FROM image_replications
    WHERE status = 'IN_PROGRESS'
      AND (registry_id, repository_name, image_digest, destination_region, destination_registry_id) > (?, ?, ?, ?, ?)
    ORDER BY registry_id, repository_name, image_digest, destination_region, destination_registry_id LIMIT ?`,

  getPullThroughCacheRule: `SELECT * FROM pull_through_cache_rules WHERE registry_id = ? AND ecr_repository_prefix = ?`,
  countPullThroughCacheRules: `SELECT COUNT(*) AS n FROM pull_through_cache_rules WHERE registry_id = ?`,
  insertPullThroughCacheRule: `INSERT INTO pull_through_cache_rules (registry_id, ecr_repository_prefix, upstream_registry_url, upstream_registry,
      upstream_repository_prefix, credential_arn, custom_role_arn, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  updatePullThroughCacheRule: `UPDATE pull_through_cache_rules SET credential_arn = ?, custom_role_arn = ?, updated_at = ?
    WHERE registry_id = ? AND ecr_repository_prefix = ?`,
  deletePullThroughCacheRule: `DELETE FROM pull_through_cache_rules WHERE registry_id = ? AND ecr_repository_prefix = ?`,
  listPullThroughCacheRules: `SELECT * FROM pull_through_cache_rules WHERE registry_id = ? AND ecr_repository_prefix > ?
    ORDER BY ecr_repository_prefix LIMIT ?`,
  getUpstreamTagCheck: `SELECT checked_at FROM upstream_tag_checks WHERE registry_id = ? AND repository_name = ? AND image_tag = ?`,
  putUpstreamTagCheck: `INSERT INTO upstream_tag_checks (registry_id, repository_name, image_tag, checked_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (registry_id, repository_name, image_tag) DO UPDATE SET checked_at = excluded.checked_at`,
} as const;
