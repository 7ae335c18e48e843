"""An example suite on the conftest.py fixtures: boto3 pushes a layer and an image, then pulls them back."""
import hashlib
import json
import uuid


def test_push_and_pull_a_layer(ecr):
    name = f"example-{uuid.uuid4().hex[:8]}"
    repository = ecr.create_repository(repositoryName=name)["repository"]
    assert repository["repositoryUri"] == f"000000000000.dkr.ecr.us-east-1.amazonaws.com/{name}"

    layer = b"hello from pytest\n" * 1000
    digest = "sha256:" + hashlib.sha256(layer).hexdigest()
    upload_id = ecr.initiate_layer_upload(repositoryName=name)["uploadId"]
    part = ecr.upload_layer_part(repositoryName=name, uploadId=upload_id, partFirstByte=0,
                                 partLastByte=len(layer) - 1, layerPartBlob=layer)
    assert part["lastByteReceived"] == len(layer) - 1
    assert ecr.complete_layer_upload(repositoryName=name, uploadId=upload_id, layerDigests=[digest])["layerDigest"] == digest

    config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [digest]}}).encode()
    config_digest = "sha256:" + hashlib.sha256(config).hexdigest()
    upload_id = ecr.initiate_layer_upload(repositoryName=name)["uploadId"]
    ecr.upload_layer_part(repositoryName=name, uploadId=upload_id, partFirstByte=0, partLastByte=len(config) - 1, layerPartBlob=config)
    ecr.complete_layer_upload(repositoryName=name, uploadId=upload_id, layerDigests=[config_digest])
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest, "size": len(layer)}],
    })
    ecr.put_image(repositoryName=name, imageManifest=manifest, imageTag="v1")

    images = ecr.batch_get_image(repositoryName=name, imageIds=[{"imageTag": "v1"}])["images"]
    assert [json.loads(i["imageManifest"])["layers"][0]["digest"] for i in images] == [digest]


def test_errors_are_ecrs(ecr):
    try:
        ecr.describe_images(repositoryName="does-not-exist")
    except ecr.exceptions.RepositoryNotFoundException as e:
        assert e.response["Error"]["Code"] == "RepositoryNotFoundException"
    else:
        raise AssertionError("expected RepositoryNotFoundException")
