"""Reads a delivery's .otio and .edl with the reference OpenTimelineIO library; prints what it saw as JSON."""
import json
import sys

import opentimelineio as otio


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
        "markers": [{"name": m.name, "start": m.marked_range.start_time.value, "duration": m.marked_range.duration.value} for m in clip.markers],
        "recoil": plain(clip.metadata.get("recoil")),
    }


def timeline_facts(timeline):
    tracks = timeline.video_tracks()
    duration = timeline.duration()
    return {
        "name": timeline.name,
        "video_tracks": len(tracks),
        "duration_sec": duration.to_seconds(),
        "duration_frames": duration.value,
        "clips": [clip_facts(c) for c in timeline.find_clips()],
    }


otio_path, edl_path, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
print(json.dumps({
    "otio_version": otio.__version__,
    "otio": timeline_facts(otio.adapters.read_from_file(otio_path)),
    "edl": timeline_facts(otio.adapters.read_from_file(edl_path, rate=rate)),
}))
