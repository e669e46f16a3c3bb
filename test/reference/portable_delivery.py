"""Reads a delivery folder where it was copied to, as an editor would: every media reference of its
.otio and .edl resolved from that folder; OTIO's own bundler writes an .otioz from its timeline;
OTIO reads the delivery's own .otioz. Prints what it saw as JSON."""
import json
import os
import sys
import zipfile

import opentimelineio as otio

folder, otio_name, edl_name, rate, otioz_name, bundled_path = sys.argv[1:7]
os.chdir(folder)


def references(timeline, tracks=None):
    """The media of the first video track's clips (or of the given tracks'), each resolved from here."""
    clips = [clip for track in (tracks or timeline.video_tracks()[:1]) for clip in track.find_clips()]
    return [{"url": clip.media_reference.target_url, "exists": os.path.isfile(clip.media_reference.target_url)} for clip in clips]


timeline = otio.adapters.read_from_file(otio_name)
edl = otio.adapters.read_from_file(edl_name, rate=float(rate))
otio.adapters.write_to_file(timeline, bundled_path)
ours = otio.adapters.read_from_file(otioz_name)
with zipfile.ZipFile(otioz_name) as bundle:
    our_files = sorted(bundle.namelist())
with zipfile.ZipFile(bundled_path) as bundle:
    bundled_files = sorted(bundle.namelist())

print(json.dumps({
    "otio": references(timeline),
    "edl": references(edl),
    "audio": {"otio": references(timeline, timeline.audio_tracks()), "edl": references(edl, edl.audio_tracks())},
    "bundled_files": bundled_files,
    "ours": {"clips": [clip.name for clip in ours.video_tracks()[0].find_clips()], "urls": [r["url"] for r in references(ours)], "files": our_files},
}))
