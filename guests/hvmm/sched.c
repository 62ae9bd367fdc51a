/* sched.c - the round-robin scheduler: paper Table 2, boxes ADD_ACTIVE and GET_NEXT_VM.
 *
 * A VM keeps the CPU until its time slice ends (slice=MS worth of timer ticks, counted by
 * handle_vmexit on #VMEXIT(INTR)), it yields (hypercall HC_YIELD or HLT) or it ends; then the
 * next active VM in creation order gets it. */
#include "hvmm.h"

static struct vm *active[MAX_VMS];
static unsigned nvms;
static unsigned current;          /* index into active[] of the VM that ran last */
static bool slice_over = true;    /* pick the next VM on the next get_next_vm */
static uint64_t slice_start;      /* timer_ticks when the current slice began */
static unsigned ticks_per_slice = 1;

/* Paper Table 2: ADD_ACTIVE(vm) { Adds the Virtual Machine vm to the list of VMs considered
 * for Round Robin execution } */
void add_active(struct vm *vm)
{
    active[nvms++] = vm;
    current = nvms - 1;           /* so that the first get_next_vm starts with active[0] */
}

void sched_set_ticks_per_slice(unsigned n) { ticks_per_slice = n ? n : 1; }

void sched_end_slice(void) { slice_over = true; }

/* On #VMEXIT(INTR): the timer interrupt was taken by the host after STGI (vm_boot). */
void sched_tick(void)
{
    if (timer_ticks - slice_start >= ticks_per_slice)
        slice_over = true;
}

/* Paper Table 2: GET_NEXT_VM() { Return one from the active list of VMs following a simple
 * Round Robin rule }. Returns 0 when no VM is active ("if (no active vm) break"). */
struct vm *get_next_vm(void)
{
    if (!slice_over && active[current]->state == VM_ACTIVE)
        return active[current];
    for (unsigned k = 1; k <= nvms; k++) {
        unsigned i = (current + k) % nvms;
        if (active[i]->state == VM_ACTIVE) {
            current = i;
            slice_over = false;
            slice_start = timer_ticks;
            return active[i];
        }
    }
    return 0;
}

unsigned sched_vm_count(void) { return nvms; }
struct vm *sched_vm(unsigned i) { return active[i]; }
