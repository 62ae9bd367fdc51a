/* serial.c - polled 16550 UART driver for COM1. */
#include "serial.h"
#include "io.h"

#define UART_DATA 0 /* THR (write) / RBR (read); DLL when LCR.DLAB = 1 */
#define UART_IER  1 /* interrupt enable; DLM when LCR.DLAB = 1 */
#define UART_FCR  2 /* FIFO control */
#define UART_LCR  3 /* line control */
#define UART_MCR  4 /* modem control */
#define UART_LSR  5 /* line status */

#define LCR_8N1   0x03
#define LCR_DLAB  0x80
#define LSR_THRE  0x20

void serial_init(void)
{
    outb(SERIAL_COM1 + UART_IER, 0x00);           /* no UART interrupts: we poll */
    outb(SERIAL_COM1 + UART_LCR, LCR_DLAB);       /* divisor latch access */
    outb(SERIAL_COM1 + UART_DATA, 1);             /* divisor 1 = 115200 baud (low byte) */
    outb(SERIAL_COM1 + UART_IER, 0);              /*                          (high byte) */
    outb(SERIAL_COM1 + UART_LCR, LCR_8N1);        /* 8 data bits, no parity, 1 stop bit, DLAB off */
    outb(SERIAL_COM1 + UART_FCR, 0xC7);           /* enable and clear FIFOs, 14-byte threshold */
    outb(SERIAL_COM1 + UART_MCR, 0x03);           /* DTR | RTS */
}

static void serial_tx(char c)
{
    while (!(inb(SERIAL_COM1 + UART_LSR) & LSR_THRE))
        ;
    outb(SERIAL_COM1 + UART_DATA, (unsigned char)c);
}

void serial_putc(char c)
{
    if (c == '\n')
        serial_tx('\r');
    serial_tx(c);
}

void serial_puts(const char *s)
{
    while (*s)
        serial_putc(*s++);
}
