import gzip

from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from wbapp.compression import FastGZipMiddleware, gzip_fast

PAGE = ("<p>" + "Working backwards from the customer. " * 200 + "</p>").encode()


def respond(response, accept="gzip, deflate, br"):
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING=accept)
    return FastGZipMiddleware(lambda request: response)(request)


def test_a_page_is_gzip_that_any_reader_decompresses_to_the_same_bytes():
    response = respond(HttpResponse(PAGE))

    assert response["Content-Encoding"] == "gzip"
    assert response["Vary"] == "Accept-Encoding"
    assert int(response["Content-Length"]) == len(response.content) < len(PAGE)
    assert gzip.decompress(response.content) == PAGE


def test_each_response_carries_a_random_file_name_against_breach():
    names = set()
    for _ in range(20):
        compressed = gzip_fast(PAGE)
        assert compressed[3] & gzip.FNAME
        end = compressed.index(b"\x00", 10)
        names.add(compressed[10:end])
        assert gzip.decompress(compressed) == PAGE

    assert len(names) > 1
    assert len({len(name) for name in names}) > 1


def test_a_strong_etag_becomes_weak_and_a_weak_one_stays():
    strong = HttpResponse(PAGE, headers={"ETag": '"v1"'})
    weak = HttpResponse(PAGE, headers={"ETag": 'W/"v1"'})

    assert respond(strong)["ETag"] == 'W/"v1"'
    assert respond(weak)["ETag"] == 'W/"v1"'


def test_short_encoded_or_unaccepted_responses_are_left_as_they_are():
    short = respond(HttpResponse(b"ok"))
    encoded = respond(HttpResponse(PAGE, headers={"Content-Encoding": "br"}))
    unaccepted = respond(HttpResponse(PAGE), accept="identity")

    assert short.content == b"ok" and not short.has_header("Content-Encoding")
    assert encoded.content == PAGE and encoded["Content-Encoding"] == "br"
    assert unaccepted.content == PAGE and not unaccepted.has_header("Content-Encoding")
    assert unaccepted["Vary"] == "Accept-Encoding"


def test_streaming_responses_are_still_compressed():
    response = respond(StreamingHttpResponse(iter([PAGE[:1000], PAGE[1000:]])))

    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(response.streaming_content)) == PAGE


def test_every_page_goes_through_it(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip")

    assert response["Content-Encoding"] == "gzip"
    assert b"Sign in" in gzip.decompress(response.content)
