"""`read_digits`: an image through the reading's stages, each taking the previous one's result.

    image ─ink→ InkImage ─find→ Groups ─recognise→ Recognised ─rows→ Recognised
          ─decide→ Decision ─separators→ Written ─report→ Reading

A 28x28 image skips ink and find: it is the digit model's input as it is. When `find` saw surfaces
(a plate inside its outline, a screen in its bezel: `nesting`), each, largest first, is read as an
image of its own, with its own paper, polarity and threshold and no ruled lines looked for (a
plate's digits fill it: their strokes ink its columns like a margin line), and the first that holds
an accepted digit is the reading: a number on a plate, not the bricks round it read as 1s. No look
that read a surface is given up for one that read the whole scene and lost some of its digits, or
read the same number (the scene joins a tag's point to a digit, which then reads surer), however
surely that one reads them, and a look that reads every digit another reads and more is
taken (`_taken_over`: a glare band across a screen joins a digit in the scene or in one channel,
lost or unsure there, not on the screen's own ground or in another). A coloured scene
(`ink.is_coloured`: a tag, a sign, a brick wall) is read in its brightest channel too, and the
stronger reading kept (`_taken_over`): there a yellow sign is light, not as dark as the black digits
on it. Only there is an unsure first 5 or 8 taken for a dollar sign (`decide`: on paper, a
handwritten number's first 8 or 5 can be as unsure; one with a dollar's stem is one anywhere), and
only there are ruled lines not looked for (a tag's last 1, with the wall's glare above and below it,
filled its columns like a margin line); only elsewhere (on paper) are a hairline's faint stretches
joined to its strokes and its faint digits found and stretched (`find.strokes`, `find.stretched`: a
wall's mortar is thin too). A colour scene with too little colour to count (a small tag on a grey
wall, a pale tag on a dark brick wall) in which nothing is read but lone 1s (a joint of the wall) is
read in its brightest channel too, and taken when it reads more than lone 1s, each surely. A
coloured scene, any scene in which no line is read (none accepted, or each voided by a digit it
rejects: a grey display's segments joined to its window's edge), and one with a dark ground
(`ink.has_dark_ground`: a display's window) in which no number is read (its window can read as one
unsure 0) or only one digit (its first, its other lit digits lost), is read again lit
(`ink.lit_as_ink`: a display's red, green or blue digits on their dark ground, a grey one's light
digits; a tag lit brighter than its wall), and taken when it reads stronger and its
digits are lit on a dark ground or lie on a surface (a tag, whose edges joined its digits in the
other looks; every surface is read with its own polarity). A colour scene with a dark ground in
which no line was read, or some region rejected, is also read lit without its long straight light
bands (`ink.lit_without_bands`: a glare band across a screen's glass joins its first digits or hides
them), and taken when it reads every digit read before and more, or, where nothing was read, more
than 1s, surely (`_band_free_look_taken`). A scene in which nothing is accepted still while a large
blob is cut off by the frame is read once more as a tight crop, and so read when its digits fill
much of its height (`_fills_a_crop`). A surface with a dark ground that was read (a screen's window)
is read lit too, on its own: a cyan or green digit under the window's light falloff is as dark as
the window in its darkest channel, and the scene read lit joins the window's digits to its light
bezel; that look is taken when it reads more, or as many digits more strongly, never fewer
(`_look_again_taken`). Within each of these looks, an image in which nothing is accepted, or in
which a blob cut off by its border is as large as half of it, is read again at the threshold of its
strongest strokes (`ink.strongest_ink`: a screen's glare band joins its digits at the first, or is
cut off with them), and so is one that found no surface and rejects a region much taller than its
digits (a band joined to some of them); where such a look accepted digits, it is read so even when
its weaker ink is no band (a display's unlit segments, a glare band's rim), and then taken only when
each line it reads holds a digit other than 1. On paper, ink a little too wide for a hairline's (a
hairline pen's digits beside bolder ones, or under a brighter light, lost below the bolder ones'
threshold) is read again as a hairline's, and taken as the window lit is, but only when it reads more
(a printed date's hyphens are lost in a hairline's closed gaps, its digits read as surely). In a
scene (a surface of one read alone included, however small: a phone's screen), a 1 at the end of
a line with a wall beyond it, or alone with the ground stepping across it or at the side of the
surface read, is a tag's or a device's edge (`decide.without_wall_edges`); in a
coloured one a line of one 1 read unsurely is an edge or a glare band too, and one of another digit
read unsurely a blank surface's mark or a display's reflection (`decide.without_unsure_lone_digits`),
and one digit read alone off every surface found (a blank tag or plate), or shorter than
`speck_height` of the image read, the wall's bricks or grain (`decide.without_a_lone_digit_off_surfaces`,
`decide.without_a_lone_speck`); on a surface read alone, in any scene, one digit read unsurely is
a word's letter or a mark (`decide.without_an_unsure_digit_on_a_surface`);
in any scene a line whose digits barely stand out from the ground around them is a display's unlit
segments or faint marks (`decide.without_faint_lines`), and a lone light 1 whose edges fade over a
tenth of its height a glare band across a blank screen (`decide.without_glare_bands`; in a lit
look, whose ink is what is lit, every 1 is lighter than its ground). In any image but a 28x28 one, a
line holding a wide digit whose ink runs along three sides of its box is a blank display's window or
housing, and a wide digit read alone whose ink runs along two sides that meet a frame's corner
(`decide.without_rims`; a scene read as a crop too: a bezel cut off by the frame).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edge_runtime.reading.decide import (
    Decision,
    decide,
    without_a_lone_digit_off_surfaces,
    without_a_lone_speck,
    without_an_unsure_digit_on_a_surface,
    without_faint_lines,
    without_glare_bands,
    without_rims,
    without_unsure_lone_digits,
    without_wall_edges,
)
from edge_runtime.reading.find import Groups, find_groups
from edge_runtime.reading.geometry import Box, Transform, crop_roi, inside, union
from edge_runtime.reading.groups import Piece
from edge_runtime.reading.ink import (
    InkImage,
    brightest_channel,
    darkest_channel,
    has_dark_ground,
    ink_image,
    is_coloured,
    is_crop,
    lit_as_ink,
    lit_without_bands,
    strongest_ink,
    weaker_ink_is_a_band,
)
from edge_runtime.reading.policy import InkPolicy, ReadingPolicy
from edge_runtime.reading.recognise import Recognised, read_groups, read_mnist_input
from edge_runtime.reading.report import Reading, report
from edge_runtime.reading.rows import reread_rows
from edge_runtime.reading.separators import write_lines
from ground.contract import IMAGE_SHAPE

if TYPE_CHECKING:
    from edge_runtime.interpreter import DigitModel

Look = tuple[np.ndarray, Transform, Groups, Recognised]  # the image read, its map to the frame, what it held


def read_digits(
    model: DigitModel,
    image: np.ndarray,
    policy: ReadingPolicy | None = None,
    *,
    roi: Box | None = None,
    top_k: int = 3,
    crop: bool | None = None,
) -> Reading:
    """Find, segment and classify every digit of a BGR or grey image.

    `policy` holds every value the reading decides by (`ReadingPolicy.for_model(model)` when None).
    A 28x28 image is taken as already in the MNIST contract and classified as it is (inverted first
    if it is dark on light). `roi` limits the search to a rectangle; `crop` says whether the image is
    a crop around a digit or a scene (False for a camera frame; by default, by its size: `ink`).
    """
    policy = policy or ReadingPolicy.for_model(model)
    view, to_frame = crop_roi(image, roi)
    scene, scene_to_frame = view, to_frame
    coloured = lit_view = False  # lit_view: `view` shows what is lit as dark ink (`lit_as_ink`)
    if view.shape[:2] == IMAGE_SHAPE:
        recognised, found = read_mnist_input(darkest_channel(view), model.predict, policy), None
    else:
        coloured = is_coloured(scene, policy.ink)
        # on paper hairlines are joined and an unsure 5 or 8 is no dollar sign; ruled lines are paper's
        policy = policy.in_colour() if coloured else policy.on_paper()
        view, to_frame, found, recognised = _look(model, scene, scene_to_frame, policy, crop)
        if coloured:  # perhaps dark digits on a coloured tag, sign or wall
            bright = _look(model, brightest_channel(scene), scene_to_frame, policy, crop)
            if _taken_over(bright, (view, to_frame, found, recognised), scene, policy, model.labels):
                view, to_frame, found, recognised = bright
        else:
            decided = decide(recognised.readings, policy.decide)
            if scene.ndim == 3 and not _more_than_lone_ones(decided.lines, model.labels):
                bright = _look(model, brightest_channel(scene), scene_to_frame, policy, crop)
                if _second_look_taken(bright[3], policy, model.labels):  # a tag on a grey or a dark wall
                    view, to_frame, found, recognised = bright
                    decided = decide(recognised.readings, policy.decide)
        if coloured or _lit_look_wanted(scene, view, recognised, decided, policy, model.labels):
            lit_image = lit_as_ink(scene)  # perhaps lit digits, or a tag lit brighter than its wall
            lit = _look(model, lit_image, scene_to_frame, policy, crop, dark_ink=True)
            if (
                lit[3].any_digit
                # on a surface: a tag lit brighter than its wall
                and (
                    _read_a_surface(lit[0], scene)
                    or _on_a_dark_ground(_around_digits(lit[0], lit[3], policy.ink), policy.ink)
                )
                and _taken_over(lit, (view, to_frame, found, recognised), scene, policy, model.labels)
            ):
                view, to_frame, found, recognised = lit
                lit_view = True
        if _may_hold_a_band(scene, recognised, policy, crop):  # a glare band across a screen's digits
            band_free = _look(
                model, lit_without_bands(scene, policy.ink), scene_to_frame, policy, crop, dark_ink=True
            )
            if _band_free_look_taken(recognised, band_free[3], policy, model.labels):
                view, to_frame, found, recognised = band_free
                lit_view = True
        if _read_a_surface(view, scene) and has_dark_ground(view, policy.ink):  # a screen's window
            window = lit_as_ink(view)
            lit = _found_and_recognised(model, window, policy.on_surface(), False, dark_ink=True)
            if _look_again_taken(recognised, lit[1], policy, model.labels):
                view, (found, recognised) = window, lit
                lit_view = True
        if not recognised.any_digit and found.filled_edge:  # a large blob cut off: perhaps a tight crop
            as_crop = _found_and_recognised(model, view, policy, True)
            if _fills_a_crop(as_crop[1], view.shape[0], policy.ink):
                crop, (found, recognised) = True, as_crop
    decision = decide(recognised.readings, policy.decide, unsure_digits=True)
    in_a_scene = found is not None and not is_crop(scene, policy.ink, crop)  # a surface of one too
    # a tag's edge is seen against its wall in the scene as photographed, not in a channel or lit look
    grounds = view if _read_a_surface(view, scene) else scene
    if coloured:  # perhaps a tag's edge, a glare band or a reflection read as a digit
        decision = without_unsure_lone_digits(
            without_wall_edges(decision, grounds, policy.decide), policy.decide
        )
        if found is not None:  # perhaps the wall's bricks or grain beside a blank tag or plate
            decision = without_a_lone_digit_off_surfaces(decision, found.surfaces)
        decision = without_a_lone_speck(decision, view.shape[0], policy.decide)
    elif in_a_scene:  # a screen's or a tag's side
        decision = without_wall_edges(decision, grounds, policy.decide)
    if _read_a_surface(view, scene):  # perhaps a letter of a word on a screen, in a grey scene too
        decision = without_an_unsure_digit_on_a_surface(decision, policy.decide)
    if found is not None:  # a blank display's window or housing (in a scene read as a crop too)
        decision = without_rims(decision, policy.decide)
    if in_a_scene:  # a display's unlit segments, a blank screen's glare
        decision = without_faint_lines(decision, view, policy.decide)
        decision = without_glare_bands(decision, view, policy.decide, lit_view)
    labelled = [[(model.labels[p.label], p.crop.box) for p in line] for line in decision.lines]
    binary, to_image = (found.binary, found.to_image) if found else (None, Transform())
    written = write_lines(labelled, binary, to_image, policy.marks)
    cut = recognised.uncut or (found is not None and found.cut)
    return report(decision, written, cut, model.labels, to_frame, top_k, policy.accept.unsure_below)


def _look(
    model: DigitModel,
    view: np.ndarray,
    to_frame: Transform,
    policy: ReadingPolicy,
    crop: bool | None,
    dark_ink: bool | None = None,
) -> Look:
    """`view` read as a scene, or a surface `find` saw in it read as one (`_on_surfaces`), with the
    image read and its map to the frame. `dark_ink`: as `ink_image`'s."""
    found, recognised = _found_and_recognised(model, view, policy, crop, dark_ink)
    if found.surfaces:
        return _on_surfaces(model, view, to_frame, found, recognised, policy)
    return view, to_frame, found, recognised


def _may_hold_a_band(
    scene: np.ndarray, recognised: Recognised, policy: ReadingPolicy, crop: bool | None
) -> bool:
    """Whether a scene is read lit without its long light bands (`ink.lit_without_bands`): a colour
    one with a dark ground (`ink.has_dark_ground`: a screen's glass, a display's window, a black tag),
    not a crop, in which the looks so far (`recognised`) read no line or rejected some region (a band
    joined to a digit or hiding it leaves one; a photo of paper with dark surroundings, read cleanly,
    is not read again)."""
    if scene.ndim != 3 or is_crop(scene, policy.ink, crop) or not has_dark_ground(scene, policy.ink):
        return False
    decision = decide(recognised.readings, policy.decide)
    return not decision.lines or bool(decision.rejected)


def _band_free_look_taken(
    first: Recognised, again: Recognised, policy: ReadingPolicy, labels: list[str]
) -> bool:
    """Whether the look without light bands is taken over the looks before: where they accept nothing,
    as a second look (`_second_look_taken`) whose every line holds a digit other than 1 (a blank
    screen's or tag's edges are 1s once its lit areas are gone); else only when it reads more
    (`_reads_more`), never as many digits read otherwise (a digit read stronger without the band is as
    often misread)."""
    read = _digits(decide(first.readings, policy.decide), labels)
    if not read:
        return _second_look_taken(again, policy, labels) and _digits_besides_ones(again, policy, labels)
    return _reads_more(_digits(decide(again.readings, policy.decide), labels), read)


def _lit_look_wanted(
    scene: np.ndarray,
    view: np.ndarray,
    recognised: Recognised,
    decision: Decision,
    policy: ReadingPolicy,
    labels: list[str],
) -> bool:
    """Whether a grey scene is read lit too (`ink.lit_as_ink`), given what was read in it (in `view`,
    the scene or a surface of it; `decision`: what `decide` made of it): when no line was read, or
    when the scene has a dark ground (`ink.has_dark_ground`: a display's window) and no number was read
    (`_decided_strength`) or only one digit, lit on a dark ground (`_on_a_dark_ground`: a display's
    first digit read, its other lit ones lost; not a digit on paper with a shadow across it)."""
    if not decision.lines:
        return True
    if not has_dark_ground(scene, policy.ink):
        return False
    if not _decided_strength(decision, policy, labels)[0]:
        return True
    if sum(map(len, decision.lines)) != 1:
        return False
    return _on_a_dark_ground(lit_as_ink(_around_digits(view, recognised, policy.ink)), policy.ink)


def _decided_strength(decision: Decision, policy: ReadingPolicy, labels: list[str]) -> tuple[bool, float]:
    """How well a look read its image: whether it reads a number (a line of two digits or more, not
    all 1s, each read with `number_look_score` or more, or of one digit other than a 1 read with
    `lone_look_score`), then the summed confidence of the digits it accepts, less half a digit for
    each region rejected (-1 for none accepted)."""
    if not decision.lines:
        return False, -1.0
    score = sum(p.score for line in decision.lines for p in line) - 0.5 * len(decision.rejected)
    number = any(
        any(labels[p.label] != "1" for p in line)
        and all(p.score >= policy.ink.number_look_score for p in line)
        and (len(line) >= 2 or line[0].score >= policy.ink.lone_look_score)
        for line in decision.lines
    )
    return number, score


def _second_look_taken(recognised: Recognised, policy: ReadingPolicy, labels: list[str]) -> bool:
    """True when a second look (a grey scene's brightest channel, a second threshold) accepts more than
    lone 1s (a line of one 1 each: more often wood grain or an edge than a digit), each digit read with
    `second_look_score` or more: in a grey scene's brightest channel coloured ink on paper is faint,
    and a digit read there near the acceptance bar is as likely refused on another platform's
    rounding; at a second threshold a shape's or a picture's thinned ink can pass for a digit, unsurely."""
    lines = decide(recognised.readings, policy.decide).lines
    return _more_than_lone_ones(lines, labels) and all(
        p.score >= policy.ink.second_look_score for line in lines for p in line
    )


def _more_than_lone_ones(lines: list[list[Piece]], labels: list[str]) -> bool:
    """True when a line is more than one 1 (a lone 1 is more often wood grain or an edge than a digit)."""
    return any([labels[p.label] for p in line] != ["1"] for line in lines)


def _digit_boxes(recognised: Recognised) -> list[Box]:
    """The boxes of the digits `recognised` accepts."""
    return [p.crop.box for r in recognised.readings for p in r.digits]


def _around_digits(image: np.ndarray, recognised: Recognised, ink: InkPolicy) -> np.ndarray:
    """The part of `image` round the digits `recognised` accepts: their box, `lit_margin` of their
    height wider."""
    x, y, w, h = union(_digit_boxes(recognised))
    margin = round(ink.lit_margin * h)
    return image[max(y - margin, 0) : y + h + margin, max(x - margin, 0) : x + w + margin]


def _on_a_dark_ground(lit_around: np.ndarray, ink: InkPolicy) -> bool:
    """True when digits seen lit (`lit_around`: the `lit_as_ink` image round them) lie on a dark ground
    (its median has a brightest channel of at most `max_lit_ground`) and their strokes are
    `min_lit_contrast` brighter: lit digits (a screen, a display, even with a glare band), not
    coloured ink on paper in shadow nor the edge of a dark shape."""
    strokes, ground = np.percentile(lit_around, [2, 50])
    return ground >= 255 - ink.max_lit_ground and ground - strokes >= ink.min_lit_contrast


def _surface_of(recognised: Recognised, surfaces: list[Box]) -> Box | None:
    """The first of `surfaces` on which every accepted digit lies, if any (None without digits)."""
    boxes = _digit_boxes(recognised)
    return next((s for s in surfaces if boxes and all(inside(b, s) for b in boxes)), None)


def _on_surfaces(
    model: DigitModel,
    view: np.ndarray,
    to_frame: Transform,
    found: Groups,
    recognised: Recognised,
    policy: ReadingPolicy,
) -> Look:
    """The first of `found`'s surfaces (largest first) that holds an accepted digit, read as a scene of
    its own (its own paper, polarity, whatever the view's, and threshold, no ruled lines), with its
    map to the frame, unless it is the surface on which every digit of the view's reading lay and the
    view read it stronger (`_taken_over`: a display's 5 read surely in the view, a segment of it alone
    on the surface) while the surface read alone decides a number (where it decides none of the
    digits it accepted, they were a word's letters beside one it rejected, "MENU" lit on a screen, and
    the view's digits there are that word's strokes too). When none holds a digit, the surface on
    which every digit of the view's reading lay, read as holding none (a screen's glare band read as a
    1 once its bezel is dropped as a frame), else the view as it was read."""
    holding = _surface_of(recognised, found.surfaces)
    fallback = view, to_frame, found, recognised
    on_surface = policy.on_surface()
    for box in found.surfaces:
        surface, to_view = crop_roi(view, box)
        surface_found, surface_recognised = _found_and_recognised(model, surface, on_surface, False)
        read = surface, to_view.then(to_frame), surface_found, surface_recognised
        if surface_recognised.any_digit:
            as_seen = view, to_frame, found, recognised
            taken = (
                box == holding
                and decide(surface_recognised.readings, policy.decide).lines
                and _taken_over(as_seen, read, view, policy, model.labels)
            )
            return as_seen if taken else read
        if box == holding:
            fallback = read
    return fallback


def _taken_over(
    look: Look, current: Look, scene: np.ndarray, policy: ReadingPolicy, labels: list[str]
) -> bool:
    """True when `look` is taken over the `current` look at `scene`: when it reads more (`_reads_more`),
    unless it read as part of the whole scene a surface `current` read alone (where a tag's sign and
    edges read as digits); never when `current` reads more on a surface `look` read as part of the
    scene, nor the same number (a tag's point joined to a digit in the scene reads it surer, and is
    lost; a lone digit, an edge on a surface, may be read surer in the scene); else when it reads
    stronger (`_decided_strength`). A glare band across a screen joins a digit, lost or read unsurely
    in one look, not in another (in the scene, in a channel)."""
    decision, current_decision = (decide(r[3].readings, policy.decide) for r in (look, current))
    read, current_read = _digits(decision, labels), _digits(current_decision, labels)
    on_surface, current_on_surface = _read_a_surface(look[0], scene), _read_a_surface(current[0], scene)
    if _reads_more(read, current_read) and (on_surface or not current_on_surface):
        return True
    if (
        current_on_surface
        and not on_surface
        and (_same_number(current_read, read) or _reads_more(current_read, read))
    ):
        return False
    return _decided_strength(decision, policy, labels) > _decided_strength(current_decision, policy, labels)


def _read_a_surface(view: np.ndarray, scene: np.ndarray) -> bool:
    """True when a look at `scene` read one of its surfaces (`view`), not the whole of it."""
    return view.shape[:2] != scene.shape[:2]


def _digits(decision: Decision, labels: list[str]) -> str:
    """The digits a decision accepts, line after line."""
    return "".join(labels[p.label] for line in decision.lines for p in line)


def _same_number(read: str, other: str) -> bool:
    """True when `read` and `other` are the same number of two digits or more."""
    return len(read) >= 2 and read == other


def _reads_more(read: str, other: str) -> bool:
    """True when the digits `read` hold every digit `other` holds (one at least), in order, and more,
    not all of them 1s (a surface's edge)."""
    remaining = iter(read)
    if not other or len(read) <= len(other) or not all(digit in remaining for digit in other):
        return False
    return any(read.count(d) > other.count(d) for d in set(read) - {"1"})


def _found_and_recognised(
    model: DigitModel,
    image: np.ndarray,
    policy: ReadingPolicy,
    crop: bool | None,
    dark_ink: bool | None = None,
) -> tuple[Groups, Recognised]:
    """The groups of an image (ink, find) and what they hold (recognise, rows). Ink on paper a little too
    wide for a hairline's is read again as one, taken when it reads more (`_look_again_taken`). A
    scene in which nothing is accepted, or in which a blob cut off by its border is as large as half
    of it (a glare band across a screen read as a surface), is read again at the threshold of its
    strongest strokes (`ink.strongest_ink`: the glare band joins digits at the first), taken as
    `_stronger_look_taken` says; so is one that found no surface and rejects a region much taller than
    its digits (`_band_joined`: the band joined to some of them), taken as `_look_again_taken` says
    (`_read_stronger`)."""
    ink = ink_image(image, policy.ink, crop, dark_ink)
    found, recognised = _read_ink(model, ink, policy)
    if found.nearly_hairline:  # perhaps a hairline pen's digits beside bolder ones
        as_hairline = _read_ink(model, ink, policy.as_hairline())
        if _look_again_taken(recognised, as_hairline[1], policy, model.labels, stronger=False):
            found, recognised = as_hairline
    banded = (
        recognised.any_digit
        and not (found.filled_edge or found.surfaces)
        and _band_joined(recognised, policy)
    )
    if found.groups and (not recognised.any_digit or found.filled_edge or banded):
        again = _read_stronger(model, ink, recognised, policy, banded)
        if again is not None:
            return again
    return found, recognised


def _read_stronger(
    model: DigitModel, ink: InkImage, first: Recognised, policy: ReadingPolicy, banded: bool
) -> tuple[Groups, Recognised] | None:
    """The look at the threshold of the strongest strokes (`ink.strongest_ink`), when taken over the
    `first`: as `_look_again_taken` says where a band joined digits (`banded`), else as
    `_stronger_look_taken` says. Where the weaker ink is no band (`ink.weaker_ink_is_a_band`: a
    display's unlit segments, a glare band's rim, a hairline's faded stretch joining its digits), it is
    read only when the first accepted digits, and taken only when each line it reads holds a digit
    other than 1 (a wall's or a word's strokes at the stronger threshold are 1s)."""
    stronger = strongest_ink(ink, policy.ink)
    if stronger is None:
        return None
    band = weaker_ink_is_a_band(ink, stronger, policy.ink)
    if not (band or first.any_digit):
        return None
    again = _read_ink(model, stronger, policy)
    if not band and not _digits_besides_ones(again[1], policy, model.labels):
        return None
    taken = _look_again_taken if banded else _stronger_look_taken
    return again if taken(first, again[1], policy, model.labels) else None


def _digits_besides_ones(recognised: Recognised, policy: ReadingPolicy, labels: list[str]) -> bool:
    """True when `recognised` reads a line and each line it reads holds a digit other than 1."""
    lines = decide(recognised.readings, policy.decide).lines
    return bool(lines) and all(any(labels[p.label] != "1" for p in line) for line in lines)


def _stronger_look_taken(
    first: Recognised, again: Recognised, policy: ReadingPolicy, labels: list[str]
) -> bool:
    """Whether a look at the threshold of the strongest strokes is taken over the first: where the first
    accepts nothing, as a second look (`_second_look_taken`); else when it reads stronger
    (`_decided_strength`) and no fewer digits (the first lost digits under a glare band, it did not
    misread them)."""
    if not first.any_digit:
        return _second_look_taken(again, policy, labels)
    before, after = (decide(r.readings, policy.decide) for r in (first, again))
    fewer = sum(map(len, after.lines)) < sum(map(len, before.lines))
    return not fewer and _decided_strength(after, policy, labels) > _decided_strength(before, policy, labels)


def _band_joined(recognised: Recognised, policy: ReadingPolicy) -> bool:
    """True when a region rejected beside accepted digits is `band_height` times as tall as the tallest
    of them at least: a glare band across a screen joined to some of its digits."""
    tallest = max(h for _, _, _, h in _digit_boxes(recognised))
    return any(
        r.rejected is not None and r.rejected.crop.box[3] >= policy.ink.band_height * tallest
        for r in recognised.readings
    )


def _fills_a_crop(recognised: Recognised, height: int, ink: InkPolicy) -> bool:
    """True when an image read as a tight crop accepts digits that are at least `crop_digit_share` of
    its `height` tall together: a photo filled by a digit, not a device cut off by the frame whose
    window's edge reads as a 1."""
    boxes = _digit_boxes(recognised)
    return bool(boxes) and union(boxes)[3] >= ink.crop_digit_share * height


def _look_again_taken(
    first: Recognised, again: Recognised, policy: ReadingPolicy, labels: list[str], stronger: bool = True
) -> bool:
    """Whether another look at the same image (a dark window lit, ink read as a hairline's or at its
    strongest strokes' threshold) is taken over the first: where the first accepts nothing, as a
    second look (`_second_look_taken`: a wall's mortar or a window's edge read as a sure 1 is not);
    else when it reads more (`_reads_more`), or as many digits stronger (`_decided_strength`) unless
    `stronger` is False; never when it reads fewer, nor more digits that are not the first's and more."""
    before, after = (decide(r.readings, policy.decide) for r in (first, again))
    read, read_again = _digits(before, labels), _digits(after, labels)
    if not read:
        return _second_look_taken(again, policy, labels)
    if len(read_again) == len(read):
        if not stronger:
            return False
        return _decided_strength(after, policy, labels) > _decided_strength(before, policy, labels)
    return _reads_more(read_again, read)


def _read_ink(model: DigitModel, ink: InkImage, policy: ReadingPolicy) -> tuple[Groups, Recognised]:
    """The groups of an ink image (find) and what they hold (recognise, rows)."""
    found = find_groups(ink, policy.find)
    recognised = read_groups(found.groups, model.predict, model.line_reader, policy)
    return found, reread_rows(recognised, model.line_reader, policy)
