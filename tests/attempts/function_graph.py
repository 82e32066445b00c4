"""Les tentatives du chapitre 1 : exercices 1.a (le moteur Value) et 1.b (le gradient de l'auto-encodeur)."""

from __future__ import annotations

from attempts.corpus import Attempt, book_solution, mutate

CHAPTER = "01_graphe_de_fonctions"

#: Les noms que le notebook a définis avant les exercices (imports, données).
CONTEXT = """
import math
import torch
"""

ATTEMPTS: list[Attempt] = []

# --- Exercice 1.a : le moteur Value -------------------------------------------------------

ENGINE = """
class Value:
    def __init__(self, data, parents=(), local_grads=()):
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents
        self.local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other),
                     (other.data, self.data))

    def __pow__(self, k):
        return Value(self.data**k, (self,), (k * self.data**(k - 1),))

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t**2,))

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node.parents:
                    visit(parent)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            pairs = zip(node.parents, node.local_grads)
            for parent, local in pairs:
                parent.grad += node.grad * local
"""
NAIVE_BACKWARD = """    def backward(self):
        self.grad = 1.0

        def push(node):
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += node.grad * local
                push(parent)

        push(self)
"""
KAHN_BACKWARD = """    def backward(self):
        users, stack, seen = {}, [self], {id(self)}
        while stack:  # compter, pour chaque nœud, ceux qui l'utilisent
            node = stack.pop()
            for parent in node.parents:
                users[id(parent)] = users.get(id(parent), 0) + 1
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append(parent)
        self.grad, ready = 1.0, [self]
        while ready:  # un nœud passe quand tous ses utilisateurs sont passés
            node = ready.pop()
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += node.grad * local
                users[id(parent)] -= 1
                if users[id(parent)] == 0:
                    ready.append(parent)
"""
ENGINE_BACKWARD = ENGINE[ENGINE.index("    def backward(self):") :]

ATTEMPTS += [
    Attempt("ex-1a", "la solution du livre", book_solution("ex-1a"), None),
    Attempt(
        "ex-1a",
        "ordre de Kahn : compter les utilisateurs de chaque nœud",
        ENGINE.replace(ENGINE_BACKWARD, KAHN_BACKWARD),
        None,
    ),
    Attempt("ex-1a", "un tri topologique récursif (la solution sans commentaires)", ENGINE, None),
    Attempt(
        "ex-1a",
        "les messages écrasés au lieu d'additionnés",
        ENGINE.replace("parent.grad += node.grad * local", "parent.grad = node.grad * local"),
        r"s'additionnent : parent.grad \+= …",
    ),
    Attempt(
        "ex-1a",
        "une récursion sans ordre topologique",
        ENGINE.replace(ENGINE_BACKWARD, NAIVE_BACKWARD),
        r"ordre topologique inverse",
    ),
    Attempt(
        "ex-1a", "la dérivée de tanh écrite 1 − t", ENGINE.replace("(1 - t**2,)", "(1 - t,)"), r"1 − tanh²"
    ),
    Attempt(
        "ex-1a",
        "la dérivée de xᵏ écrite k·x",
        ENGINE.replace("(k * self.data**(k - 1),)", "(k * self.data,)"),
        r"k·xᵏ⁻¹",
    ),
    Attempt(
        "ex-1a",
        "le gradient initial oublié",
        ENGINE.replace("        self.grad = 1.0\n", ""),
        r"part du gradient initial",
    ),
    Attempt(
        "ex-1a",
        "le produit laissé au squelette",
        ENGINE.replace(
            """        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other),
                     (other.data, self.data))""",
            "        ...",
        ),
        r"complétez la méthode __mul__",
    ),
]

# --- Exercice 1.b : les gradients de l'auto-encodeur à la main ---------------------------

HAND = """
def autoencoder_gradients(x, theta, b1, b2):
    y = theta @ x + b1
    x_hat = theta.T @ y + b2
    delta = 2 * (x_hat - x)
    gamma = theta @ delta
    return {
        "b₂": delta,
        "θ": torch.outer(y, delta) + torch.outer(gamma, x),
        "b₁": gamma,
        "x": -delta + theta.T @ gamma,
    }
"""

ATTEMPTS += [
    Attempt("ex-1b", "la solution du livre", book_solution("ex-1b"), None),
    Attempt(
        "ex-1b",
        "avec des produits extérieurs écrits par diffusion",
        HAND.replace(
            "torch.outer(y, delta) + torch.outer(gamma, x)",
            "y[:, None] * delta[None, :] + gamma[:, None] * x[None, :]",
        ),
        None,
    ),
    Attempt(
        "ex-1b",
        "autograd au lieu des formules",
        """
def autoencoder_gradients(x, theta, b1, b2):
    leaves = [t.clone().requires_grad_() for t in (x, theta, b1, b2)]
    x_, t_, b1_, b2_ = leaves
    loss = ((x_ - (t_.T @ (t_ @ x_ + b1_) + b2_)) ** 2).sum()
    loss.backward()
    return dict(zip(("x", "θ", "b₁", "b₂"), (t.grad for t in leaves)))
""",
        r"emploie backward\(\) :",
    ),
    Attempt(
        "ex-1b",
        "le terme direct de x oublié",
        HAND.replace('"x": -delta + theta.T @ gamma', '"x": theta.T @ gamma'),
        r"x sert deux fois",
    ),
    Attempt(
        "ex-1b",
        "un seul des deux chemins de θ",
        HAND.replace("torch.outer(y, delta) + torch.outer(gamma, x)", "torch.outer(gamma, x)"),
        r"θ sert deux fois",
    ),
    Attempt(
        "ex-1b",
        "des tailles écrites en dur",
        HAND.replace("gamma = theta @ delta", "gamma = theta[:2] @ delta[:4]"),
        r"pour d = 6, d_y = 3, votre fonction autoencoder_gradients a échoué .*formes incompatibles",
    ),
]

# --- Exercice 1.a : d'autres moteurs, justes et faux ---------------------------------------

ITERATIVE_BACKWARD = """    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # un parcours en profondeur, sans récursion
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((parent, False) for parent in node.parents)
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += node.grad * local
"""
CLOSURES = """
class Value:
    def __init__(self, data, children=()):
        self.data = data
        self.grad = 0.0
        self._prev = children
        self._backward = lambda: None

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        out = Value(self.data**k, (self,))

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,))

        def _backward():
            self.grad += (1 - out.data**2) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,))

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self):
        topo, visited = [], set()

        def build(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()
"""
TORCH_ENGINE = """
class Value:
    def __init__(self, data):
        self.t = data if isinstance(data, torch.Tensor) else torch.tensor(float(data), dtype=torch.float64,
                                                                          requires_grad=True)
        self.leaves = [self] if self.t.requires_grad and self.t.grad_fn is None else []

    @property
    def data(self):
        return self.t.item()

    @property
    def grad(self):
        return 0.0 if self.t.grad is None else self.t.grad.item()

    def _wrap(self, other):
        return other if isinstance(other, Value) else Value(other)

    def __add__(self, other):
        return Value(self.t + self._wrap(other).t)

    def __mul__(self, other):
        return Value(self.t * self._wrap(other).t)

    def __pow__(self, k):
        return Value(self.t**k)

    def tanh(self):
        return Value(torch.tanh(self.t))

    def exp(self):
        return Value(torch.exp(self.t))

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self):
        self.t.backward()
"""
BOOK_ENGINE = book_solution("ex-1a")

ATTEMPTS += [
    Attempt(
        "ex-1a",
        "un tri topologique itératif, avec une pile",
        ENGINE.replace(ENGINE_BACKWARD, ITERATIVE_BACKWARD),
        None,
    ),
    Attempt("ex-1a", "une passe arrière par nœud (des fermetures, comme micrograd)", CLOSURES, None),
    Attempt(
        "ex-1a",
        "Value remplacée par un nombre",
        BOOK_ENGINE + "\nValue = 3\n",
        r"Value devrait être une classe",
    ),
    Attempt(
        "ex-1a",
        "la classe nommée Valeur",
        mutate(BOOK_ENGINE, ("class Value:", "class Valeur:"), ("Value(", "Valeur(")),
        r"`Value` n'est pas défini",
    ),
    Attempt(
        "ex-1a", "un moteur qui délègue à autograd", TORCH_ENGINE, r"Value.backward emploie backward\(\)"
    ),
    Attempt(
        "ex-1a",
        "grad initialisé à None",
        mutate(
            BOOK_ENGINE,
            ("self.grad = 0.0", "self.grad = None"),
            ("parent.grad += node.grad * local", "parent.grad = (parent.grad or 0.0) + node.grad * local"),
        ),
        r"c.grad devrait être un nombre ; c'est un NoneType",
    ),
    Attempt(
        "ex-1a",
        "la puissance calculée k·x à l'aller",
        mutate(BOOK_ENGINE, ("self.data**k, (self,),", "self.data * k, (self,),")),
        r"la valeur calculée à l'aller vaut",
    ),
    Attempt(
        "ex-1a",
        "a + 2 rend un nombre",
        mutate(
            BOOK_ENGINE,
            (
                """        other = other if isinstance(other, Value) else Value(other)
        return Value(
            self.data + other.data""",
                """        if not isinstance(other, Value):
            return self.data + other
        return Value(
            self.data + other.data""",
            ),
        ),
        r"a \+ 2 rend float au lieu d'une nouvelle Value : complétez la méthode __add__",
    ),
    Attempt(
        "ex-1a",
        "les dérivées du produit échangées",
        mutate(BOOK_ENGINE, ("(other.data, self.data)", "(self.data, other.data)")),
        r"∂\(u·v\)/∂u = v",
    ),
    Attempt(
        "ex-1a",
        "la dérivée de exp écrite 1",
        mutate(BOOK_ENGINE, ("return Value(e, (self,), (e,))", "return Value(e, (self,), (1.0,))")),
        r"celle de exp est exp",
    ),
    Attempt(
        "ex-1a",
        "la liste parcourue à l'endroit",
        mutate(BOOK_ENGINE, ("for node in reversed(order):", "for node in order:")),
        r"Parcourez la liste à l'envers",
    ),
    Attempt(
        "ex-1a",
        "un nœud rangé autant de fois qu'il est atteint",
        mutate(
            BOOK_ENGINE,
            (
                """            if id(node) not in seen:
                seen.add(id(node))
                for parent in node.parents:
                    visit(parent)
                order.append(node)""",
                """            for parent in node.parents:
                visit(parent)
            order.append(node)""",
            ),
        ),
        r"chaque nœud une seule fois",
    ),
]

# --- Exercice 1.b : d'autres écritures, justes et fausses ---------------------------------

BOOK_HAND = book_solution("ex-1b")
OUTER = "torch.outer(y, delta) + torch.outer(gamma, x)"

ATTEMPTS += [
    Attempt(
        "ex-1b",
        "les produits extérieurs écrits en produits matriciels",
        mutate(BOOK_HAND, (OUTER, "y[:, None] @ delta[None, :] + gamma.unsqueeze(1) @ x.unsqueeze(0)")),
        None,
    ),
    Attempt(
        "ex-1b",
        "avec einsum",
        mutate(BOOK_HAND, (OUTER, 'torch.einsum("i,j->ij", y, delta) + torch.einsum("i,j->ij", gamma, x)')),
        None,
    ),
    Attempt(
        "ex-1b",
        "le résidu x − x̂ et des produits matriciels",
        """
def autoencoder_gradients(x, theta, b1, b2):
    y = theta @ x + b1
    r = x - (theta.T @ y + b2)
    g_b2 = -2 * r
    g_b1 = theta @ g_b2
    g_theta = y.reshape(-1, 1) @ g_b2.reshape(1, -1) + g_b1.reshape(-1, 1) @ x.reshape(1, -1)
    g_x = 2 * r + theta.T @ theta @ g_b2
    return {"x": g_x, "θ": g_theta, "b₁": g_b1, "b₂": g_b2}
""",
        None,
    ),
    Attempt(
        "ex-1b",
        "torch.autograd.grad au lieu des formules",
        """
def autoencoder_gradients(x, theta, b1, b2):
    leaves = [t.clone().requires_grad_() for t in (x, theta, b1, b2)]
    x_, t_, b1_, b2_ = leaves
    loss = ((x_ - (t_.T @ (t_ @ x_ + b1_) + b2_)) ** 2).sum()
    grads = torch.autograd.grad(loss, leaves)
    return dict(zip(("x", "θ", "b₁", "b₂"), grads))
""",
        r"emploie torch.autograd.grad :",
    ),
    Attempt(
        "ex-1b",
        "torch.func.grad au lieu des formules",
        """
from torch.func import grad

def autoencoder_gradients(x, theta, b1, b2):
    def loss(x, theta, b1, b2):
        return ((x - (theta.T @ (theta @ x + b1) + b2)) ** 2).sum()
    grads = grad(loss, argnums=(0, 1, 2, 3))(x, theta, b1, b2)
    return dict(zip(("x", "θ", "b₁", "b₂"), grads))
""",
        r"emploie torch.func.grad :",
    ),
    Attempt(
        "ex-1b",
        "torch.autograd.functional.vjp au lieu des formules",
        """
def autoencoder_gradients(x, theta, b1, b2):
    def loss(x, theta, b1, b2):
        return ((x - (theta.T @ (theta @ x + b1) + b2)) ** 2).sum()
    _, grads = torch.autograd.functional.vjp(loss, (x, theta, b1, b2))
    return dict(zip(("x", "θ", "b₁", "b₂"), grads))
""",
        r"emploie torch.autograd.functional.vjp :",
    ),
    Attempt(
        "ex-1b",
        "des clés sans indices (theta, b1)",
        mutate(BOOK_HAND, ('"b₂":', '"b2":'), ('"θ":', '"theta":'), ('"b₁":', '"b1":')),
        r"doit rendre un dictionnaire aux clés",
    ),
    Attempt(
        "ex-1b",
        "∂ℓ/∂θ transposé",
        mutate(BOOK_HAND, (OUTER, "torch.outer(delta, y) + torch.outer(x, gamma)")),
        r"∂ℓ/∂θ devrait avoir la forme \(2, 4\), celle de θ ; reçu \(4, 2\)",
    ),
    Attempt(
        "ex-1b",
        "δ sans le facteur 2",
        mutate(BOOK_HAND, ("delta = 2 * (x_hat - x)", "delta = x_hat - x")),
        r"∂ℓ/∂b₂ diffère d'autograd .*Il manque un facteur 2",
    ),
    Attempt(
        "ex-1b",
        "δ de signe inversé",
        mutate(BOOK_HAND, ("delta = 2 * (x_hat - x)", "delta = 2 * (x - x_hat)")),
        r"∂ℓ/∂b₂ diffère d'autograd .*Le signe est inversé",
    ),
    Attempt(
        "ex-1b",
        "γ = θᵀδ au lieu de θδ",
        mutate(BOOK_HAND, ("gamma = theta @ delta", "gamma = theta.T @ delta")),
        r"a échoué .*sur des formes incompatibles",
    ),
    Attempt(
        "ex-1b",
        "la fonction nommée autoencoder_gradient",
        mutate(BOOK_HAND, ("def autoencoder_gradients(", "def autoencoder_gradient(")),
        r"`autoencoder_gradients` n'est pas défini",
    ),
    Attempt(
        "ex-1b",
        "les biais en un seul paramètre",
        mutate(
            BOOK_HAND,
            (
                "def autoencoder_gradients(x, theta, b1, b2):",
                "def autoencoder_gradients(x, theta, biases):\n    b1, b2 = biases",
            ),
        ),
        r"devrait prendre 4 paramètres",
    ),
    Attempt(
        "ex-1b",
        "le nom de la fonction repris par son résultat",
        BOOK_HAND
        + """
x, theta = torch.randn(4), torch.randn(2, 4)
autoencoder_gradients = autoencoder_gradients(x, theta, torch.zeros(2), torch.zeros(4))
""",
        r"`autoencoder_gradients` devrait être une fonction ; c'est un dict",
    ),
]
