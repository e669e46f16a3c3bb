"""Reads a delivery's FCP7 XML, FCPX XML and ALE with OpenTimelineIO's published adapters, as an
editor's conversion tools would, and the XMLs' formats and reels with ElementTree where the
adapters keep no record of them; prints what it saw as JSON."""
import json
import os
from fractions import Fraction
import sys
import urllib.parse
import xml.etree.ElementTree as ET

import opentimelineio as otio

folder, episode = sys.argv[1], sys.argv[2]
os.chdir(folder)


def local_path(url):
    parsed = urllib.parse.urlparse(url)
    return urllib.parse.unquote(parsed.path) if parsed.scheme == "file" else url


def clip_facts(clip):
    url = clip.media_reference.target_url
    return {
        "name": clip.name,
        "record_start": clip.range_in_parent().start_time.value if isinstance(clip.parent(), otio.schema.Track) else None,
        "source_start": clip.source_range.start_time.value,
        "duration": clip.source_range.duration.value,
        "url": url,
        "exists": os.path.isfile(local_path(url)),
        "markers": [m.name for m in clip.markers],
    }


def fcp7():
    timeline = otio.adapters.read_from_file(f"{episode}_fcp7.xml")
    video, audio = timeline.video_tracks()[0], timeline.audio_tracks()[0]
    files = [clip.media_reference.metadata["fcp_xml"] for clip in video.find_clips()]
    sequence_format = ET.parse(f"{episode}_fcp7.xml").find("./sequence/media/video/format/samplecharacteristics")
    return {
        "start": timeline.global_start_time.value,
        "format": [int(sequence_format.find("width").text), int(sequence_format.find("height").text)],
        "clips": [clip_facts(c) for c in video.find_clips()],
        "audio_clips": [c.name for c in audio.find_clips()],
        "sizes": [[int(f["media"]["video"]["samplecharacteristics"][k]) for k in ("width", "height")] for f in files],
        "reels": [f["timecode"]["reel"]["name"] for f in files],
    }


def fcpx():
    collection = otio.adapters.read_from_file(f"{episode}.fcpxml")
    timeline = next(iter(collection))
    root = ET.parse(f"{episode}.fcpxml").getroot()
    sequence = root.find(".//sequence")
    sequence_format = root.find(f"./resources/format[@id='{sequence.get('format')}']")
    assets = root.findall("./resources/asset")
    frame = Fraction(sequence_format.get("frameDuration").rstrip("s"))
    frames = lambda time: Fraction(time.rstrip("s")) / frame  # noqa: E731
    # The adapter counts 23.976 as 23 frames a second, so exact positions are read from the XML itself.
    spine = [[c.get("name"), frames(c.get("offset")), frames(c.get("start")), frames(c.get("duration"))] for c in sequence.findall("./spine/asset-clip")]
    return {
        "tc_start": float(frames(sequence.get("tcStart"))),
        "spine": [[name, float(offset), float(start), float(duration)] for name, offset, start, duration in spine],
        "format": [int(sequence_format.get("width")), int(sequence_format.get("height"))],
        "clips": [clip_facts(c) for c in timeline.find_clips()],
        "reels": [asset.find("./metadata/md[@key='com.apple.proapps.studio.reel']").get("value") for asset in assets],
        "audio": [[asset.get("hasAudio"), asset.get("audioChannels"), asset.get("audioRate")] for asset in assets],
    }


def ale():
    collection = otio.adapters.read_from_file(f"{episode}.ale")
    return {
        "header": dict(collection.metadata["ALE"]["header"]),
        "clips": [clip_facts(c) for c in collection.find_clips()],
        "tapes": [c.metadata["ALE"]["Tape"] for c in collection.find_clips()],
        "image_sizes": [c.metadata["ALE"]["Image Size"] for c in collection.find_clips()],
    }


print(json.dumps({"fcp7": fcp7(), "fcpx": fcpx(), "ale": ale()}))
