"""Reads a delivery's .otio and .edl with the reference OpenTimelineIO library (and its contact
sheet PDF with pypdf); prints what it saw as JSON."""
import json
import sys

import opentimelineio as otio
import pypdf


def plain(value):
    """OTIO metadata comes back as its own dictionary and vector types."""
    if hasattr(value, "items"):
        return {key: plain(item) for key, item in value.items()}
    if not isinstance(value, str) and hasattr(value, "__iter__"):
        return [plain(item) for item in value]
    return value


def clip_facts(clip):
    source = clip.source_range
    reference = clip.media_reference
    return {
        "name": clip.name,
        "reel": clip.metadata.get("cmx_3600", {}).get("reel"),
        "start": source.start_time.value,
        "duration": source.duration.value,
        "rate": source.duration.rate,
        "target_url": getattr(reference, "target_url", None),
        "markers": [{"name": m.name, "start": m.marked_range.start_time.value, "duration": m.marked_range.duration.value, "color": m.color, "comment": m.comment} for m in clip.markers],
        "recoil": plain(clip.metadata.get("recoil")),
    }


def timeline_facts(timeline):
    video, audio = timeline.video_tracks(), timeline.audio_tracks()
    duration = timeline.duration()
    return {
        "name": timeline.name,
        "video_tracks": len(video),
        "audio_tracks": [track.name for track in audio],
        "duration_sec": duration.to_seconds(),
        "duration_frames": duration.value,
        "clips": [clip_facts(c) for c in video[0].find_clips()],
        "audio_clips": [clip_facts(c) for c in audio[0].find_clips()] if audio else [],
    }


def xref_exact(path):
    """pypdf forgives a wrong cross-reference table; stricter readers do not, so check it byte for byte."""
    data = open(path, "rb").read()
    start = int(data.rsplit(b"startxref", 1)[1].split()[0])
    if not data[start:].startswith(b"xref"):
        return False
    lines = data[start:].split(b"\n")
    first, count = (int(n) for n in lines[1].split())
    entries = lines[2:2 + count]
    return all(
        data[int(entry[:10]):].startswith(b"%d 0 obj" % (first + i))
        for i, entry in enumerate(entries) if entry.split()[2] == b"n"
    )


def pdf_facts(path):
    reader = pypdf.PdfReader(path, strict=True)
    page = reader.pages[0]
    xobjects = page["/Resources"]["/XObject"]
    images = []
    for name in xobjects:
        image = xobjects[name].get_object()
        data = image.get_data()
        images.append({"width": int(image["/Width"]), "height": int(image["/Height"]), "filter": str(image["/Filter"]), "jpeg": data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"})
    page_images = [len(p["/Resources"]["/XObject"]) for p in reader.pages]
    return {
        "pages": len(reader.pages), "page_images": page_images, "xref_exact": xref_exact(path),
        "page_width": float(page.mediabox.width), "page_height": float(page.mediabox.height), "images": images,
        "text": [p.extract_text() for p in reader.pages],
        "info": {key.lstrip("/"): str(value) for key, value in (reader.metadata or {}).items()},
    }


otio_path, edl_path, rate, pdf_path = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
print(json.dumps({
    "otio_version": otio.__version__,
    "otio": timeline_facts(otio.adapters.read_from_file(otio_path)),
    "edl": timeline_facts(otio.adapters.read_from_file(edl_path, rate=rate)),
    "pdf": pdf_facts(pdf_path),
}))
