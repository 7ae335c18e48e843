"""Contract tests of boto3 itself, on the conftest.py fixtures: what the client does when the network or the server
misbehaves, read from the server's request journal."""
import hashlib
import uuid

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import assert_parts_resent_identically

MiB = 1024 * 1024


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def test_boto3_resends_a_part_cut_off_midway(ecr_server, contract):
    ecr = ecr_server.client(config=Config(retries={"mode": "standard", "max_attempts": 3}))
    name = f"contract-{uuid.uuid4().hex[:8]}"
    ecr.create_repository(repositoryName=name)
    # ECR's smallest part but for the last is 5 MiB.
    PART = 5 * MiB
    layer = bytes(range(256)) * (11 * MiB // 256)
    parts = [layer[i:i + PART] for i in range(0, len(layer), PART)]
    # The second part's first attempt loses its connection 64 KiB into the body.
    contract.add_fault({"type": "cut-request", "afterBytes": 64 * 1024}, match={"operation": "UploadLayerPart", "attempt": 1}, skip=1, times=1)

    upload_id = ecr.initiate_layer_upload(repositoryName=name)["uploadId"]
    for i, part in enumerate(parts):
        ecr.upload_layer_part(repositoryName=name, uploadId=upload_id, partFirstByte=i * PART,
                              partLastByte=i * PART + len(part) - 1, layerPartBlob=part)
    digest = "sha256:" + sha256(layer)
    assert ecr.complete_layer_upload(repositoryName=name, uploadId=upload_id, layerDigests=[digest])["layerDigest"] == digest

    entries = contract.journal(operation="UploadLayerPart", uploadId=upload_id)
    assert [(e["input"]["partFirstByte"], e["caller"]["attempt"], e["delivered"], e.get("effects", {}).get("bytesAppended")) for e in entries] == [
        (0, 1, True, PART),
        (PART, 1, False, None),
        (PART, 2, True, PART),
        (2 * PART, 1, True, MiB),
    ]
    cut, resent = entries[1], entries[2]
    assert cut["requestBytes"] < PART and "sha256" not in cut["body"]
    assert resent["caller"]["invocationId"] == cut["caller"]["invocationId"]
    assert resent["body"] == {"length": PART, "sha256": sha256(parts[1])}
    assert_parts_resent_identically(entries)
    assert all(e["caller"]["signed"] for e in entries)


def test_boto3_gives_up_on_a_non_retryable_error(ecr_server, contract):
    ecr = ecr_server.client(config=Config(retries={"mode": "standard", "max_attempts": 3}))
    name = f"contract-{uuid.uuid4().hex[:8]}"
    ecr.create_repository(repositoryName=name)
    upload_id = ecr.initiate_layer_upload(repositoryName=name)["uploadId"]
    contract.add_fault({"type": "error", "error": "InvalidLayerPartException"}, match={"operation": "UploadLayerPart"}, times=1)
    with pytest.raises(ClientError) as raised:
        ecr.upload_layer_part(repositoryName=name, uploadId=upload_id, partFirstByte=0, partLastByte=9, layerPartBlob=b"0123456789")
    error = raised.value.response
    assert error["Error"]["Code"] == "InvalidLayerPartException"
    # Nothing was committed yet: the last valid byte is the one before the first.
    assert error["lastValidByteReceived"] == -1
    assert [e["caller"]["attempt"] for e in contract.journal(operation="UploadLayerPart")] == [1]
