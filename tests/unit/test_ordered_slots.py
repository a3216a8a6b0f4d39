"""OrderedSlots: a batch's items take the scarce slots in their turn, whatever order their threads arrive in."""

import threading
import time

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.ordered_slots import OrderedSlots


def _take_in_threads(slots, turns, arrival_delay, hold=0.05):
    """Start one thread per turn, later turns arriving first; return (turns in the order they got a slot, peak held)."""
    taken, lock, held = [], threading.Lock(), [0, 0]

    def take(turn, delay):
        time.sleep(delay)
        with slots.slot(turn):
            with lock:
                taken.append(turn)
                held[0] += 1
                held[1] = max(held[1], held[0])
            time.sleep(hold)
            with lock:
                held[0] -= 1

    threads = [threading.Thread(target=take, args=(turn, arrival_delay(turn))) for turn in turns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads), "a turn never got a slot"
    return taken, held[1]


def test_slots_go_in_turn_order_even_when_later_turns_arrive_first():
    slots = OrderedSlots(2)
    # Turn 5 arrives first, turn 0 last (0.02 s apart).
    taken, peak = _take_in_threads(slots, range(6), lambda turn: 0.02 * (5 - turn))
    assert taken == [0, 1, 2, 3, 4, 5]
    assert peak == 2


def test_a_turn_that_passes_holds_up_no_later_turn():
    slots = OrderedSlots(1)
    slots.pass_turn(0)
    slots.pass_turn(2)
    taken, _peak = _take_in_threads(slots, [1, 3], lambda turn: 0.02 * (3 - turn))
    assert taken == [1, 3]


def test_a_later_turn_waits_for_an_earlier_one_that_has_neither_taken_nor_passed():
    slots = OrderedSlots(5)
    got = threading.Event()

    def take():
        with slots.slot(1):
            got.set()

    thread = threading.Thread(target=take)
    thread.start()
    assert not got.wait(0.2)  # turn 0 is still deciding
    slots.pass_turn(0)
    assert got.wait(5)
    thread.join()


def test_without_a_turn_any_free_slot_is_taken():
    slots = OrderedSlots(1)
    with slots.slot():
        pass
    with slots.slot(None):
        pass
