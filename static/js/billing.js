// The AMC's checkout. Razorpay's Checkout opens over the page that asks for it and its signed answer is
// posted to our return address; the local stand-in's answer page posts itself the same way.
(() => {
  const answer = document.querySelector("form[data-auto-submit]");
  if (answer) {
    answer.submit();
    return;
  }
  const button = document.querySelector("[data-razorpay-checkout]");
  if (!button || typeof window.Razorpay === "undefined") {
    return;
  }
  const data = button.dataset;
  const form = document.getElementById(data.returnForm);
  const status = document.getElementById(data.status);
  const open = () => {
    const checkout = new window.Razorpay({
      key: data.key,
      order_id: data.orderId,
      amount: Number(data.amount),
      currency: "INR",
      name: data.name,
      description: data.description,
      prefill: { email: data.email, name: data.contactName },
      handler: (paid) => {
        form.elements.razorpay_payment_id.value = paid.razorpay_payment_id;
        form.elements.razorpay_order_id.value = paid.razorpay_order_id;
        form.elements.razorpay_signature.value = paid.razorpay_signature;
        status.textContent = "Paid: recording the payment…";
        form.submit();
      },
    });
    checkout.on("payment.failed", (failed) => {
      status.textContent = `The payment failed: ${failed.error.description}. Try again, or pay another way.`;
    });
    checkout.open();
  };
  button.addEventListener("click", open);
  open();
})();
