/* Proof of work for the public petition pages (see xuncha/petitions/pow.py).
   Finds a nonce so that SHA-256("<challenge>:<nonce>") starts with N zero bits, in
   slices so the page stays responsive, then enables the form's submit button.
   N is the challenge's first field ("<bits>.<issued>.<random>.<mac>"): the server raises
   it on the receipt log-in while codes are being guessed, and this solves whatever it is.
   Plain SHA-256 in JavaScript: crypto.subtle is missing on plain-HTTP intranets. */
(function () {
  "use strict";
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
  var W = new Uint32Array(64);

  function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }

  // SHA-256 of an ASCII string; returns the first 32-bit word and the rest as an array.
  function sha256(text) {
    var n = text.length, blocks = ((n + 9 + 63) >> 6), words = new Uint32Array(blocks * 16), i;
    for (i = 0; i < n; i++) words[i >> 2] |= text.charCodeAt(i) << (24 - (i & 3) * 8);
    words[n >> 2] |= 0x80 << (24 - (n & 3) * 8);
    words[blocks * 16 - 1] = n * 8;
    var h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    for (var b = 0; b < blocks; b++) {
      for (i = 0; i < 16; i++) W[i] = words[b * 16 + i];
      for (i = 16; i < 64; i++) {
        var s0 = rotr(W[i - 15], 7) ^ rotr(W[i - 15], 18) ^ (W[i - 15] >>> 3);
        var s1 = rotr(W[i - 2], 17) ^ rotr(W[i - 2], 19) ^ (W[i - 2] >>> 10);
        W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
      }
      var a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (i = 0; i < 64; i++) {
        var t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0;
      }
      h[0] += a; h[1] += bb; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
    return h;
  }

  function zeroBits(h) {
    var bits = 0;
    for (var i = 0; i < 8; i++) {
      if (h[i] === 0) { bits += 32; continue; }
      return bits + Math.clz32(h[i]);
    }
    return bits;
  }

  function solve(form) {
    var token = form.querySelector("input[name=pow_challenge]").value;
    var field = form.querySelector("input[name=pow_nonce]");
    var button = form.querySelector("button[type=submit]");
    var status = form.querySelector(".pow-status");
    var bits = parseInt(token.split(".")[0], 10), nonce = 0;
    button.disabled = true;
    function slice() {
      for (var end = nonce + 20000; nonce < end; nonce++) {
        if (zeroBits(sha256(token + ":" + nonce)) >= bits) {
          field.value = String(nonce);
          button.disabled = false;
          if (status) status.textContent = "";
          form.setAttribute("data-pow", "done");
          return;
        }
      }
      setTimeout(slice, 0);
    }
    if (status) status.textContent = "正在准备安全校验……";
    setTimeout(slice, 0);
  }

  window.xunchaSha256 = sha256;  // for the browser test of the hash itself
  document.querySelectorAll("form[data-pow]").forEach(solve);
})();
