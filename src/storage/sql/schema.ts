// The records' schema, as versioned migrations. Written in the subset of SQL that SQLite and PostgreSQL share
// (BIGINT for 64-bit numbers, natural keys rather than auto-increment, no dialect-only types), so that a PostgreSQL
// store can apply the same migrations. Keys read like ECR's resource model: a registry (account) holds repositories;
// a repository holds images, tags, layers and uploads; layers' bytes are blobs shared by the registry.

export interface Migration {
  version: number;
  statements: string[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE repositories (
        registry_id TEXT NOT NULL,
        repository_name TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        image_tag_mutability TEXT NOT NULL,
        image_tag_mutability_exclusion_filters TEXT,
        scan_on_push SMALLINT NOT NULL,
        encryption_type TEXT NOT NULL,
        kms_key TEXT,
        PRIMARY KEY (registry_id, repository_name)
      )`,
      `CREATE TABLE repository_tags (
        registry_id TEXT NOT NULL,
        repository_name TEXT NOT NULL,
        tag_key TEXT NOT NULL,
        tag_value TEXT NOT NULL,
        PRIMARY KEY (registry_id, repository_name, tag_key),
        FOREIGN KEY (registry_id, repository_name) REFERENCES repositories (registry_id, repository_name) ON DELETE CASCADE
      )`,
      // Content-addressed layer bytes, one file each, shared by the registry's repositories.
      `CREATE TABLE blobs (
        registry_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        size BIGINT NOT NULL,
        PRIMARY KEY (registry_id, digest)
      )`,
      `CREATE TABLE repository_layers (
        registry_id TEXT NOT NULL,
        repository_name TEXT NOT NULL,
        digest TEXT NOT NULL,
        media_type TEXT,
        PRIMARY KEY (registry_id, repository_name, digest),
        FOREIGN KEY (registry_id, repository_name) REFERENCES repositories (registry_id, repository_name) ON DELETE CASCADE,
        FOREIGN KEY (registry_id, digest) REFERENCES blobs (registry_id, digest)
      )`,
      // With the repository in it, "does another repository have this layer?" is one index search.
      `CREATE INDEX repository_layers_by_digest ON repository_layers (registry_id, digest, repository_name)`,
      `CREATE TABLE layer_uploads (
        registry_id TEXT NOT NULL,
        upload_id TEXT NOT NULL,
        repository_name TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        touched_at BIGINT NOT NULL,
        committed_bytes BIGINT NOT NULL,
        part_count INTEGER NOT NULL,
        last_part_first BIGINT,
        last_part_last BIGINT,
        smallest_earlier_part BIGINT,
        PRIMARY KEY (registry_id, upload_id),
        FOREIGN KEY (registry_id, repository_name) REFERENCES repositories (registry_id, repository_name) ON DELETE CASCADE
      )`,
      `CREATE INDEX layer_uploads_by_repository ON layer_uploads (registry_id, repository_name)`,
      `CREATE INDEX layer_uploads_by_touched_at ON layer_uploads (touched_at)`,
      `CREATE TABLE images (
        registry_id TEXT NOT NULL,
        repository_name TEXT NOT NULL,
        image_digest TEXT NOT NULL,
        image_manifest TEXT NOT NULL,
        image_manifest_media_type TEXT NOT NULL,
        image_pushed_at BIGINT NOT NULL,
        PRIMARY KEY (registry_id, repository_name, image_digest),
        FOREIGN KEY (registry_id, repository_name) REFERENCES repositories (registry_id, repository_name) ON DELETE CASCADE
      )`,
      `CREATE TABLE image_tags (
        registry_id TEXT NOT NULL,
        repository_name TEXT NOT NULL,
        image_tag TEXT NOT NULL,
        image_digest TEXT NOT NULL,
        PRIMARY KEY (registry_id, repository_name, image_tag),
        FOREIGN KEY (registry_id, repository_name, image_digest) REFERENCES images (registry_id, repository_name, image_digest) ON DELETE CASCADE
      )`,
      `CREATE INDEX image_tags_by_digest ON image_tags (registry_id, repository_name, image_digest)`,
      // The blobs and manifests an image's manifest names.
      `CREATE TABLE image_references (
        registry_id TEXT NOT NULL,
        repository_name TEXT NOT NULL,
        image_digest TEXT NOT NULL,
        referenced_digest TEXT NOT NULL,
        PRIMARY KEY (registry_id, repository_name, image_digest, referenced_digest),
        FOREIGN KEY (registry_id, repository_name, image_digest) REFERENCES images (registry_id, repository_name, image_digest) ON DELETE CASCADE
      )`,
      `CREATE INDEX image_references_by_target ON image_references (registry_id, repository_name, referenced_digest)`,
      // A completion whose bytes are being moved into place: a restart finishes it.
      `CREATE TABLE layer_completions (
        registry_id TEXT NOT NULL,
        upload_id TEXT NOT NULL,
        repository_name TEXT NOT NULL,
        layer_digest TEXT NOT NULL,
        layer_size BIGINT NOT NULL,
        PRIMARY KEY (registry_id, upload_id)
      )`,
      // Files (relative to the data dir) whose records are gone; removed after the commit, or at the next start.
      `CREATE TABLE reclaimable_files (
        path TEXT NOT NULL PRIMARY KEY
      )`,
      `CREATE TABLE secrets (
        name TEXT NOT NULL PRIMARY KEY,
        value TEXT NOT NULL
      )`,
      // Data dirs of an earlier format imported into this database, by the digest of what was imported.
      `CREATE TABLE imports (
        source TEXT NOT NULL PRIMARY KEY,
        digest TEXT NOT NULL,
        imported_at BIGINT NOT NULL
      )`,
    ],
  },
  {
    // What DescribeImages shows of an image besides its manifest, fixed when it is put (the size is its layers' stored
    // bytes; NULL for images imported from the journal format, computed when read), and when it was last pulled.
    version: 2,
    statements: [
      `ALTER TABLE images ADD COLUMN image_size_in_bytes BIGINT`,
      `ALTER TABLE images ADD COLUMN artifact_media_type TEXT`,
      `ALTER TABLE images ADD COLUMN subject_digest TEXT`,
      `ALTER TABLE images ADD COLUMN last_recorded_pull_time BIGINT`,
      // The referrers of a manifest (OCI 1.1's subject relation), by the manifest they name.
      `CREATE INDEX images_by_subject ON images (registry_id, repository_name, subject_digest)`,
    ],
  },
  {
    // The policies that govern a repository (who else may use it; when its images expire) and a registry.
    version: 3,
    statements: [
      `CREATE TABLE repository_policies (
        registry_id TEXT NOT NULL,
        repository_name TEXT NOT NULL,
        policy_text TEXT NOT NULL,
        PRIMARY KEY (registry_id, repository_name),
        FOREIGN KEY (registry_id, repository_name) REFERENCES repositories (registry_id, repository_name) ON DELETE CASCADE
      )`,
      `CREATE TABLE lifecycle_policies (
        registry_id TEXT NOT NULL,
        repository_name TEXT NOT NULL,
        lifecycle_policy_text TEXT NOT NULL,
        last_evaluated_at BIGINT,
        PRIMARY KEY (registry_id, repository_name),
        FOREIGN KEY (registry_id, repository_name) REFERENCES repositories (registry_id, repository_name) ON DELETE CASCADE
      )`,
      `CREATE TABLE registry_policies (
        registry_id TEXT NOT NULL PRIMARY KEY,
        policy_text TEXT NOT NULL
      )`,
    ],
  },
  {
    // Indexes that end with their sort key, so that an image's tags, a subject's referrers and an image's referencers
    // are each one index range: without it SQLite walked the primary key (every tag or image of the repository) to
    // avoid a sort.
    version: 4,
    statements: [
      `DROP INDEX image_tags_by_digest`,
      `CREATE INDEX image_tags_by_digest ON image_tags (registry_id, repository_name, image_digest, image_tag)`,
      `DROP INDEX image_references_by_target`,
      `CREATE INDEX image_references_by_target ON image_references (registry_id, repository_name, referenced_digest, image_digest)`,
      `DROP INDEX images_by_subject`,
      `CREATE INDEX images_by_subject ON images (registry_id, repository_name, subject_digest, image_digest)`,
    ],
  },
  {
    // A registry's account-level settings (those never set have their defaults, which are not stored), and the
    // principals whose pulls leave lastRecordedPullTime as it was.
    version: 5,
    statements: [
      `CREATE TABLE account_settings (
        registry_id TEXT NOT NULL,
        setting_name TEXT NOT NULL,
        setting_value TEXT NOT NULL,
        PRIMARY KEY (registry_id, setting_name)
      )`,
      `CREATE TABLE pull_time_update_exclusions (
        registry_id TEXT NOT NULL,
        principal_arn TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (registry_id, principal_arn)
      )`,
    ],
  },
  {
    // A registry's signing rules (which profile signs images pushed to which repositories), as the API gives them,
    // and when they were last put.
    version: 6,
    statements: [
      `CREATE TABLE signing_configurations (
        registry_id TEXT NOT NULL PRIMARY KEY,
        rules TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
    ],
  },
  {
    // Signing decided at push: the profiles whose rules covered an image when it was pushed, and for a signature
    // artifact the profile version that made it, found through its subject by one index range.
    version: 7,
    statements: [
      `CREATE TABLE image_signing_profiles (
        registry_id TEXT NOT NULL,
        repository_name TEXT NOT NULL,
        image_digest TEXT NOT NULL,
        signing_profile_arn TEXT NOT NULL,
        PRIMARY KEY (registry_id, repository_name, image_digest, signing_profile_arn),
        FOREIGN KEY (registry_id, repository_name, image_digest) REFERENCES images (registry_id, repository_name, image_digest) ON DELETE CASCADE
      )`,
      `ALTER TABLE images ADD COLUMN signed_by TEXT`,
      `CREATE INDEX images_signatures ON images (registry_id, repository_name, subject_digest, signed_by) WHERE signed_by IS NOT NULL`,
    ],
  },
  {
    // Storage classes: an image is in STANDARD or ARCHIVE storage; a restore under way is STANDARD with its
    // last_activated_at still ahead (the moment the restore completes).
    version: 8,
    statements: [
      `ALTER TABLE images ADD COLUMN image_storage_class TEXT NOT NULL DEFAULT 'STANDARD'`,
      `ALTER TABLE images ADD COLUMN last_archived_at BIGINT`,
      `ALTER TABLE images ADD COLUMN last_activated_at BIGINT`,
    ],
  },
  {
    // Vulnerability scanning: a registry's scanning type and rules as the API gives them; each image's latest scan
    // (one per image, replaced by the next) and that scan's findings in the scanner's order.
    version: 9,
    statements: [
      `CREATE TABLE registry_scanning_configurations (
        registry_id TEXT NOT NULL PRIMARY KEY,
        scan_type TEXT NOT NULL,
        rules TEXT NOT NULL
      )`,
      `CREATE TABLE image_scans (
        registry_id TEXT NOT NULL,
        repository_name TEXT NOT NULL,
        image_digest TEXT NOT NULL,
        scan_type TEXT NOT NULL,
        scan_status TEXT NOT NULL,
        status_description TEXT,
        started_at BIGINT NOT NULL,
        completed_at BIGINT,
        vulnerability_source_updated_at BIGINT,
        finding_severity_counts TEXT,
        PRIMARY KEY (registry_id, repository_name, image_digest),
        FOREIGN KEY (registry_id, repository_name, image_digest) REFERENCES images (registry_id, repository_name, image_digest) ON DELETE CASCADE
      )`,
      `CREATE INDEX image_scans_in_progress ON image_scans (registry_id, repository_name, image_digest) WHERE scan_status = 'IN_PROGRESS'`,
      `CREATE TABLE image_scan_findings (
        registry_id TEXT NOT NULL,
        repository_name TEXT NOT NULL,
        image_digest TEXT NOT NULL,
        finding_index INTEGER NOT NULL,
        finding TEXT NOT NULL,
        PRIMARY KEY (registry_id, repository_name, image_digest, finding_index),
        FOREIGN KEY (registry_id, repository_name, image_digest) REFERENCES image_scans (registry_id, repository_name, image_digest) ON DELETE CASCADE
      )`,
    ],
  },
  {
    // Repository creation templates: per registry and namespace prefix (or ROOT), the settings (as the API gives
    // them, JSON) that repositories the registry creates itself receive.
    version: 10,
    statements: [
      `CREATE TABLE repository_creation_templates (
        registry_id TEXT NOT NULL,
        prefix TEXT NOT NULL,
        settings TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (registry_id, prefix)
      )`,
    ],
  },
  {
    // Replication: a registry's rules (JSON, as the API gave them), and each image's copy to each destination. A copy
    // is IN_PROGRESS until it ends COMPLETE or FAILED; asking again (the image pushed or tagged again) counts an
    // attempt, so that a copy finished meanwhile cannot overwrite the newer request's status.
    version: 11,
    statements: [
      `CREATE TABLE replication_configurations (
        registry_id TEXT NOT NULL PRIMARY KEY,
        rules TEXT NOT NULL
      )`,
      `CREATE TABLE image_replications (
        registry_id TEXT NOT NULL,
        repository_name TEXT NOT NULL,
        image_digest TEXT NOT NULL,
        destination_region TEXT NOT NULL,
        destination_registry_id TEXT NOT NULL,
        status TEXT NOT NULL,
        failure_code TEXT,
        attempt INTEGER NOT NULL,
        PRIMARY KEY (registry_id, repository_name, image_digest, destination_region, destination_registry_id),
        FOREIGN KEY (registry_id, repository_name, image_digest) REFERENCES images (registry_id, repository_name, image_digest) ON DELETE CASCADE
      )`,
      `CREATE INDEX image_replications_in_progress ON image_replications
        (registry_id, repository_name, image_digest, destination_region, destination_registry_id) WHERE status = 'IN_PROGRESS'`,
    ],
  },
  {
    // Pull through cache: per registry and repository prefix (or ROOT), the upstream registry its repositories mirror;
    // and when each cached tag was last checked against the upstream (ECR checks again at most once a day).
    version: 12,
    statements: [
      `CREATE TABLE pull_through_cache_rules (
        registry_id TEXT NOT NULL,
        ecr_repository_prefix TEXT NOT NULL,
        upstream_registry_url TEXT NOT NULL,
        upstream_registry TEXT,
        upstream_repository_prefix TEXT,
        credential_arn TEXT,
        custom_role_arn TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (registry_id, ecr_repository_prefix)
      )`,
      `CREATE TABLE upstream_tag_checks (
        registry_id TEXT NOT NULL,
        repository_name TEXT NOT NULL,
        image_tag TEXT NOT NULL,
        checked_at BIGINT NOT NULL,
        PRIMARY KEY (registry_id, repository_name, image_tag),
        FOREIGN KEY (registry_id, repository_name) REFERENCES repositories (registry_id, repository_name) ON DELETE CASCADE
      )`,
    ],
  },
];

/** The bookkeeping table every store keeps: which migrations it applied, and when. */
export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY,
  applied_at BIGINT NOT NULL
)`;
