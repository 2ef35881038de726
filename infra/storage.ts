// The data bucket, the artifacts bucket and the progress table: private, encrypted, TLS-only.
import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3BucketLifecycleConfiguration, type S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { progressTableDefinition } from '../handlers/lib/progress-table-definition';
import { WORK_RETENTION_TAG } from '../handlers/lib/storage-layout';
import { resourceName, type StackConfig } from './config';
import { tlsOnlyBucketPolicy } from './iam-policies';

/**
 * Lifecycle filters are prefix-based, and `jobs/<id>/work/` has the job id in the middle, so a prefix
 * cannot select intermediates alone. Writers of work/ objects tag them with this tag (S3 `Tagging:
 * longhaul-retention=work`) and the rule selects `jobs/` objects carrying it.
 */

export interface PrivateBucket {
  bucket: S3Bucket;
  /** Terraform reference to the bucket's name. */
  name: string;
  arn: string;
  /** Objects whose version is referenced (artifacts) must be written after versioning is on. */
  versioning: S3BucketVersioningA;
}

type LifecycleRule = Omit<S3BucketLifecycleConfigurationRule, 'status'>;

/** Private, encrypted, versioned bucket that refuses non-TLS requests, with its lifecycle rules (all enabled). */
function definePrivateBucket(
  scope: Construct,
  config: StackConfig,
  role: 'data' | 'artifacts',
  bucketSettings: { forceDestroy: boolean; lifecycle: LifecycleRule[] },
): PrivateBucket {
  const id = `${role}-bucket`;
  const bucket = new S3Bucket(scope, id, { bucketPrefix: `${resourceName(config, role)}-`, forceDestroy: bucketSettings.forceDestroy });
  new S3BucketPublicAccessBlock(scope, `${id}-public-access-block`, {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, `${id}-ownership`, {
    bucket: bucket.id,
    rule: { objectOwnership: 'BucketOwnerEnforced' },
  });
  new S3BucketServerSideEncryptionConfigurationA(scope, `${id}-encryption`, {
    bucket: bucket.id,
    rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }],
  });
  const versioning = new S3BucketVersioningA(scope, `${id}-versioning`, {
    bucket: bucket.id,
    versioningConfiguration: { status: 'Enabled' },
  });
  new S3BucketPolicy(scope, `${id}-policy`, {
    bucket: bucket.id,
    policy: JSON.stringify(tlsOnlyBucketPolicy(bucket.arn)),
  });
  new S3BucketLifecycleConfiguration(scope, `${id}-lifecycle`, {
    bucket: bucket.id,
    rule: bucketSettings.lifecycle.map((rule) => ({ ...rule, status: 'Enabled' })),
  });
  return { bucket, name: bucket.bucket, arn: bucket.arn, versioning };
}

export function defineDataBucket(scope: Construct, config: StackConfig): PrivateBucket {
  // Never emptied by Terraform: a stray `make destroy` must not take job outputs with it.
  return definePrivateBucket(scope, config, 'data', {
    forceDestroy: false,
    lifecycle: [
      {
        id: 'expire-job-work',
        filter: [{ and: [{ prefix: 'jobs/', tags: { [WORK_RETENTION_TAG.key]: WORK_RETENTION_TAG.value } }] }],
        expiration: [{ days: config.workExpirationDays }],
        noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
      },
      { id: 'abort-incomplete-multipart-uploads', filter: [{ prefix: '' }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }] },
      {
        // Versioning keeps overwritten and deleted objects recoverable for a while, not forever.
        id: 'expire-old-versions',
        filter: [{ prefix: '' }],
        noncurrentVersionExpiration: [{ noncurrentDays: 30 }],
        expiration: [{ expiredObjectDeleteMarker: true }],
      },
    ],
  });
}

/** Holds zips too large for Lambda's direct upload (the ffmpeg layer). */
export function defineArtifactsBucket(scope: Construct, config: StackConfig): PrivateBucket {
  // Only build outputs, all reproducible: destroy may empty it (old versions included).
  return definePrivateBucket(scope, config, 'artifacts', {
    forceDestroy: true,
    lifecycle: [
      { id: 'expire-old-artifacts', filter: [{ prefix: '' }], noncurrentVersionExpiration: [{ noncurrentDays: 30 }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }] },
    ],
  });
}

export function defineProgressTable(scope: Construct, config: StackConfig): DynamodbTable {
  const { hashKey, rangeKey, billingMode, ttlAttribute, pointInTimeRecovery, serverSideEncryption } = progressTableDefinition;
  return new DynamodbTable(scope, 'progress-table', {
    name: resourceName(config, 'progress'),
    billingMode,
    hashKey: hashKey.name,
    rangeKey: rangeKey.name,
    attribute: [
      { name: hashKey.name, type: hashKey.type },
      { name: rangeKey.name, type: rangeKey.type },
    ],
    pointInTimeRecovery: { enabled: pointInTimeRecovery },
    serverSideEncryption: { enabled: serverSideEncryption },
    ttl: { attributeName: ttlAttribute, enabled: true },
    deletionProtectionEnabled: false,
  });
}
