/**
 * Buckets and objects on the tests' S3 server (moto, started by scripts/run-tests.ts), through
 * boto3 in moto's venv: moto wants signed requests, and labelform has no AWS SDK. Credentials are
 * fixed fake ones; moto accepts any.
 */
import { execFileSync } from 'node:child_process';

export const S3_KEY_ID = 'labelform-test-key-id';
export const S3_SECRET = 'labelform-test-secret-key';

export function s3Server(): { url: string; python: string } {
  const url = process.env.LABELFORM_TEST_S3_URL;
  const python = process.env.LABELFORM_TEST_S3_PYTHON;
  if (!url || !python)
    throw new Error(
      'the storage suites need the S3 server that `npm test` starts (LABELFORM_TEST_S3_URL/PYTHON are not set)',
    );
  return { url, python };
}

const SCRIPT = `
import boto3, json, sys
url, op, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
s3 = boto3.client('s3', endpoint_url=url, aws_access_key_id='${S3_KEY_ID}', aws_secret_access_key='${S3_SECRET}', region_name='us-east-1')
if op == 'bucket':
    s3.create_bucket(Bucket=args['bucket'])
    print('{}')
elif op == 'put':
    s3.put_object(Bucket=args['bucket'], Key=args['key'], Body=args['body'].encode('utf-8'))
    print('{}')
elif op == 'list':
    out = []
    for page in s3.get_paginator('list_objects_v2').paginate(Bucket=args['bucket'], Prefix=args.get('prefix', '')):
        out += [o['Key'] for o in page.get('Contents', [])]
    print(json.dumps(out))
elif op == 'get':
    print(json.dumps(s3.get_object(Bucket=args['bucket'], Key=args['key'])['Body'].read().decode('utf-8')))
`;

function call(op: string, args: Record<string, unknown>): unknown {
  const { url, python } = s3Server();
  return JSON.parse(execFileSync(python, ['-c', SCRIPT, url, op, JSON.stringify(args)], { encoding: 'utf8' }));
}

export const s3 = {
  createBucket: (bucket: string) => void call('bucket', { bucket }),
  put: (bucket: string, key: string, body: string) => void call('put', { bucket, key, body }),
  list: (bucket: string, prefix = '') => call('list', { bucket, prefix }) as string[],
  get: (bucket: string, key: string) => call('get', { bucket, key }) as string,
};
